#include "cli/sockets_options.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/decimal.h"
#include "procfs/mounts.h"

namespace sockscope::cli {
namespace {

// lsof takes an optional argument from the next word unless it starts with '-' or '+'.
std::optional<std::string_view> optional_argument(int argc, char** argv, int& i, std::string_view attached) {
  if (!attached.empty()) return attached;
  if (i + 1 < argc && argv[i + 1][0] != '-' && argv[i + 1][0] != '+') return std::string_view(argv[++i]);
  return std::nullopt;
}

// An option this command does not take, `letter` first in `option`: a letter that is no
// option of lsof's either gets lsof's refusal.
tl::unexpected<Error> unknown_option(char letter, std::string_view option) {
  constexpr std::string_view kLsofOptionLetters = "abcdDeEfFghiKlLmMnNoOpPQrRsStTuUvVwxXZ?";
  if (letter == ':') return fail("colon is an illegal option character.");
  if (kLsofOptionLetters.find(letter) == std::string_view::npos) return fail(fmt::format("illegal option character: {}", letter));
  return fail(fmt::format("unknown option: {}", option));
}

// How many digits start the text.
size_t leading_digits(std::string_view text) { return std::min(text.find_first_not_of("0123456789"), text.size()); }

// +c w: the COMMAND column's width; 0 for all the kernel keeps (15), never below the title.
// As lsof reads it, the digits that start the value (what follows them is ignored).
Result<void> parse_command_width(std::string_view text, SocketsOptions& options) {
  using sockets::kCommandNameLimit;
  size_t width = 0;
  size_t digits = leading_digits(text);
  if (digits == 0) return fail("+c not followed by width number");
  if (!parse_decimal(text.substr(0, digits), width)) width = SIZE_MAX;
  if (width > kCommandNameLimit) return fail(fmt::format("+c {} > what system provides ({})", width, kCommandNameLimit));
  // (0: the whole name, however wide its escapes make it.)
  options.style.command_width = width == 0 ? SIZE_MAX : std::max<size_t>(width, std::string_view("COMMAND").size());
  options.style.end_command_width = width;  // as lsof: not raised to the title, 0 cuts all
  return {};
}

// -T [fqs]: what follows a TCP or UDP address in NAME (f, socket flags, adds nothing here).
Result<void> parse_tcp_info(std::string_view letters, output::LsofStyle& style) {
  style.tcp_state = false;
  style.tcp_queues = false;
  style.tcp_info_given = !letters.empty();
  for (char letter : letters) {
    if (letter == 's') {
      style.tcp_state = true;
    } else if (letter == 'q') {
      style.tcp_queues = true;
    } else if (letter != 'f') {
      return fail(fmt::format("unsupported TCP/TPI info selection: {}", letter));
    }
  }
  return {};
}

// -r [t[c<N>][m<fmt>]]: every t seconds (15 without digits; 0: list once, no repeating), N
// times at most (c0 or a bare c: no limit), with an strftime marker. lsof takes only t for -r
// when more follows but no m: it reads the characters after t again as options, so -r1c2 also
// selects the command "2" (and +r1c2 sets +c 2). Returns where that rereading starts, or npos.
Result<size_t> parse_repeat(std::string_view text, SocketsOptions& options) {
  size_t digits = leading_digits(text);
  int seconds = 15;  // lsof's default delay
  if (digits > 0 && !parse_decimal(text.substr(0, digits), seconds)) seconds = std::numeric_limits<int>::max();
  options.repeat_seconds.reset();
  if (seconds > 0) options.repeat_seconds = seconds;
  if (digits == text.size()) return std::string_view::npos;
  size_t at = std::min(text.find_first_not_of(' ', digits), text.size());
  if (at < text.size() && text[at] == 'c') {
    size_t count_end = std::min(text.find_first_not_of("0123456789", at + 1), text.size());
    int count = 0;
    if (count_end > at + 1 && !parse_decimal(text.substr(at + 1, count_end - at - 1), count)) count = std::numeric_limits<int>::max();
    options.repeat_count.reset();
    if (count > 0) options.repeat_count = count;
    at = count_end;
  }
  if (at == text.size() || text[at] != 'm') return digits;
  options.repeat_marker = std::string(text.substr(at + 1));
  // lsof tries the format once and refuses one that comes out empty ("-r 1m" among them).
  char sample[512];
  std::time_t now = std::time(nullptr);
  if (std::strftime(sample, sizeof sample, options.repeat_marker.c_str(), std::localtime(&now)) == 0) {
    return fail(fmt::format("illegal <fmt>: \"{}\"", options.repeat_marker));
  }
  return std::string_view::npos;
}

// A file operand: the UNIX sockets bound to that path. lsof looks the file up first (an
// error is reported and the operand dropped) and then compares socket names with it as written.
void add_path_operand(const char* path, SocketsOptions& options) {
  options.selection.paths_given = true;
  struct stat status;
  if (stat(path, &status) != 0) {
    options.operand_errors.push_back(fmt::format("status error on {}: {}", path, std::strerror(errno)));
    return;
  }
  if (!S_ISSOCK(status.st_mode)) {
    options.operand_warnings.push_back(fmt::format("{} is not a socket: this command lists sockets only", path));
  }
  options.selection.unix_paths.push_back(path);
}

}  // namespace

Result<SocketsOptions> parse_sockets_options(int argc, char** argv) {
  SocketsOptions options;
  std::vector<std::string> exempt_file_systems;  // -e's paths: lsof takes mount points only
  bool cross_over = false;                       // -x, which lsof takes only with +d or +D
  // Some options (-o, -r, -S, -L) take only the digits that start their value; lsof reads
  // what follows them again as options, with the option's sign: `reread` is that next word.
  std::string reread;
  // Sends the value's characters from `from` on back to be read; from 0 in a word of its own,
  // that word is the first file operand. Nothing when the value ends at `from`.
  auto reread_value = [&](char sign, std::string_view value, size_t from, bool own_word, int& i) {
    if (from >= value.size()) return;
    if (from > 0 || !own_word) reread = sign + std::string(value.substr(from));
    --i;  // the next round reads the word that held the value (or `reread` for it)
  };
  for (int i = 1; i < argc; ++i) {
    std::string word = std::exchange(reread, {});
    std::string_view arg = word.empty() ? std::string_view(argv[i]) : word;
    if (arg == "--json") { options.view = SocketsView::kJson; continue; }
    if (arg == "--table") { options.view = SocketsView::kTable; continue; }
    if (arg.starts_with("--record=")) { options.record_path = std::string(arg.substr(9)); continue; }
    if (arg.starts_with("--replay=")) { options.replay_path = std::string(arg.substr(9)); continue; }
    if (arg == "--source=proc") { options.from_proc = true; continue; }
    if (arg == "--owners=proc") { options.owners = sockets::OwnerSource::kProc; continue; }
    if (arg == "--owners=bpf") { options.owners = sockets::OwnerSource::kBpf; continue; }
    if (arg == "--help") {
      options.help = true;
      return options;
    }
    // Options end at "--" (or "++") or at the first operand, as in lsof: the rest are all file names.
    bool operands_follow = arg == "--" || arg == "++";
    if (operands_follow || arg.size() < 2 || (arg[0] != '-' && arg[0] != '+')) {
      for (i += operands_follow ? 1 : 0; i < argc; ++i) add_path_operand(argv[i], options);
      break;
    }
    // Letters after - or +, as lsof reads them: the same option either way, but for those
    // whose + means something of its own (+c, +E, +r, +w, +n, +P, +T).
    char sign = arg[0];
    bool plus = sign == '+';
    for (size_t j = 1; j < arg.size(); ++j) {
      char letter = arg[j];
      std::string_view attached = arg.substr(j + 1);
      // A value that must be there: attached, or the next word unless that is "--" (lsof's
      // end of options); each option names what is missing in lsof's words.
      auto required = [&](std::string_view missing) -> Result<std::string_view> {
        if (!attached.empty()) return attached;
        if (i + 1 < argc && std::string_view(argv[i + 1]) != "--") return std::string_view(argv[++i]);
        return fail(std::string(missing));
      };
      bool takes_rest = true;
      switch (letter) {
        case 'h': case '?': options.help = true; return options;
        case 'a': options.selection.and_mode = true; takes_rest = false; break;
        case 'n': options.style.numeric_hosts = !plus; takes_rest = false; break;
        case 'P': options.style.numeric_ports = !plus; takes_rest = false; break;
        case 'l': options.style.numeric_users = true; takes_rest = false; break;
        case 't': options.view = SocketsView::kPids; options.pids_only = true; options.warnings = false; takes_rest = false; break;
        case 'U': options.selection.unix_given = true; takes_rest = false; break;
        case 'w': options.warnings = plus; takes_rest = false; break;
        case 'E': options.other_ends = plus ? OtherEnds::kShownAndListed : OtherEnds::kShown; takes_rest = false; break;
        case 'V': options.verbose_search = true; takes_rest = false; break;
        // Portmapper names (none without rpcbind registrations), lsof's ways of not blocking
        // or forking: accepted for lsof's sake, nothing to do for sockets.
        case 'b': case 'O': case 'M': takes_rest = false; break;
        case 'f': {
          // Alone: how path operands are read (as file systems), nothing to do for sockets; with
          // flags, whether a FILE-FLAG column shows (g, G), which +f would add and is not offered.
          std::optional<std::string_view> flags = optional_argument(argc, argv, i, attached);
          if (!flags) break;
          if (size_t bad = flags->find_first_not_of("gG"); bad != std::string_view::npos) {
            return fail(fmt::format("unknown file struct option: {}", (*flags)[bad]));
          }
          if (plus) return fail(fmt::format("unknown option: +f{}", *flags));
          break;
        }
        case 'x': {  // crossing mount points and symbolic links under +d or +D, which are not offered
          if (std::optional<std::string_view> kinds = optional_argument(argc, argv, i, attached)) {
            if (size_t bad = kinds->find_first_not_of("fl"); bad != std::string_view::npos) {
              return fail(fmt::format("unknown cross-over option: {}", (*kinds)[bad]));
            }
          }
          cross_over = true;
          break;
        }
        case 'e': {  // a file system lsof's kernel calls must not block on: none are made here
          Result<std::string_view> path = required("-e not followed by a file system path: \"(null)\"");
          if (!path) return tl::unexpected(path.error());
          if (!path->starts_with('/')) return fail(fmt::format("-e not followed by a file system path: \"{}\"", *path));
          std::string_view trimmed = *path;
          while (trimmed.size() > 1 && trimmed.ends_with('/')) trimmed.remove_suffix(1);
          exempt_file_systems.emplace_back(trimmed);
          break;
        }
        case 'i': {
          std::string_view text = optional_argument(argc, argv, i, attached).value_or("");
          if (sockets::is_network_selection(text)) {
            sockets::add_network_selection(text, options.selection);
            break;
          }
          Result<sockets::InetSpec> spec = sockets::parse_inet_spec(text, options.selection.network_family);
          if (!spec) return tl::unexpected(spec.error());
          options.selection.inet.push_back(*spec);
          break;
        }
        case 's': {
          std::optional<std::string_view> text = optional_argument(argc, argv, i, attached);
          if (text) {
            Result<void> done = sockets::parse_state_spec(*text, options.selection);
            if (!done) return tl::unexpected(done.error());
          } else {
            options.style.size_only = true;
          }
          break;
        }
        case 'p': {
          Result<std::string_view> text = required("no process ID specified");
          if (!text) return tl::unexpected(text.error());
          Result<void> done = sockets::parse_pid_list(*text, options.selection.pids);
          if (!done) return tl::unexpected(done.error());
          break;
        }
        case 'u': {
          Result<std::string_view> text = required("no UIDs specified");
          if (!text) return tl::unexpected(text.error());
          Result<void> done = sockets::parse_user_list(*text, options.selection.users);
          if (!done) return tl::unexpected(done.error());
          break;
        }
        case 'd': {
          if (plus) return unknown_option(letter, "+d");  // +d DIR: files in a directory, not offered
          Result<std::string_view> text = required("no file descriptor specified");
          if (!text) return tl::unexpected(text.error());
          Result<void> done = sockets::parse_fd_list(*text, options.selection.fds);
          if (!done) return tl::unexpected(done.error());
          break;
        }
        case 'c': {
          if (plus) {
            Result<void> done = parse_command_width(optional_argument(argc, argv, i, attached).value_or(""), options);
            if (!done) return tl::unexpected(done.error());
            break;
          }
          Result<std::string_view> text = required("missing -c option value");
          if (!text) return tl::unexpected(text.error());
          // lsof takes the word, and refuses an option in it as no command at all.
          if (text->starts_with('-') || text->starts_with('+')) return fail("missing -c option value");
          Result<void> done = sockets::parse_command_list(*text, options.selection.commands);
          if (!done) return tl::unexpected(done.error());
          break;
        }
        case 'F': {
          std::string text(optional_argument(argc, argv, i, attached).value_or(""));
          // -F? lists the field letters (and asks for no field output).
          if (text == "?") {
            options.field_help = true;
            break;
          }
          options.view = SocketsView::kFields;
          options.fields_given = true;
          // lsof's field letters; those sockets have no value for are accepted and print nothing.
          constexpr std::string_view kFieldLetters = "acCdDfFgGikKlLmMnNopPrRsStTuzZ0";
          if (size_t bad = text.find_first_not_of(kFieldLetters); bad != std::string::npos) {
            return fail(fmt::format("unknown field: {}", text[bad]));
          }
          if (size_t zero = text.find('0'); zero != std::string::npos) {
            options.nul_fields = true;
            text.erase(zero, 1);
          }
          options.fields = text;
          // Asking for the T field (the default set has it) selects all of -T's information,
          // as lsof does; a -T after -F narrows it again.
          if (text.empty() || text.find('T') != std::string::npos) {
            options.style.tcp_state = options.style.tcp_queues = options.style.tcp_info_given = true;
          }
          break;
        }
        case 'r': {
          if (plus) options.repeat_until_empty = true;
          int before = i;
          std::string_view value = optional_argument(argc, argv, i, attached).value_or("");
          Result<size_t> reread_from = parse_repeat(value, options);
          if (!reread_from) return tl::unexpected(reread_from.error());
          reread_value(sign, value, *reread_from, i != before, i);
          break;
        }
        case 'R': options.style.parent_column = true; takes_rest = false; break;
        case 'g': {
          options.style.group_column = true;
          if (std::optional<std::string_view> groups = optional_argument(argc, argv, i, attached)) {
            Result<void> done = sockets::parse_process_group_list(*groups, options.selection.process_groups);
            if (!done) return tl::unexpected(done.error());
          }
          break;
        }
        case 'o': case 'S': case 'L': {
          // -o: an OFFSET column, unless digits follow (how offsets are written: sockets have
          // none); -S: lsof's kernel-call timeout; -L: no link counts (lsof's default; +L's
          // NLINK column is not offered).
          if (letter == 'L' && plus) return unknown_option(letter, "+L");
          int before = i;
          std::optional<std::string_view> value = optional_argument(argc, argv, i, attached);
          size_t digits = value ? leading_digits(*value) : 0;
          if (letter == 'o' && digits == 0) options.style.offset_only = true;
          if (letter == 'L' && digits > 0) return fail("no number may follow -L");
          if (letter == 'S' && value && digits > 0) {
            int seconds = 0;
            if (parse_decimal(value->substr(0, digits), seconds) && seconds < 2) {
              options.notices.push_back(fmt::format("WARNING: -S time ({}) changed to 2", seconds));
            }
          }
          if (value) reread_value(sign, *value, digits, i != before, i);
          break;
        }
        case 'Q': options.ignore_failed_search = true; takes_rest = false; break;
        case 'T': {
          std::optional<std::string_view> letters = optional_argument(argc, argv, i, attached);
          if (plus && !letters) {  // +T: the state alone, as without -T
            options.style.tcp_state = options.style.tcp_info_given = true;
            options.style.tcp_queues = false;
            break;
          }
          Result<void> done = parse_tcp_info(letters.value_or(""), options.style);
          if (!done) return tl::unexpected(done.error());
          break;
        }
        // lsof's refusals on Linux; +D DIR (a directory tree) and +m (mount supplements) are not offered.
        case 'D': return plus ? unknown_option(letter, "+D") : fail("unsupported option: -D");
        case 'm': return plus ? unknown_option(letter, "+m") : fail("-m not supported");
        default: return unknown_option(letter, fmt::format("{}{}", sign, letter));
      }
      if (takes_rest) break;
    }
  }
  // The checks of the whole line, in lsof's order.
  if (options.style.offset_only && options.style.size_only) return fail("-o and -s are mutually exclusive");
  if (options.pids_only && options.fields_given) return fail("-F and -t are mutually exclusive");
  // A field-mode marker is one line: lsof refuses a newline (%n) in its format (%%n is none).
  if (options.fields_given) {
    const std::string& marker = options.repeat_marker;
    for (size_t at = marker.find('%'); at != std::string::npos && at + 1 < marker.size(); at = marker.find('%', at + 2)) {
      if (marker[at + 1] == 'n') return fail(fmt::format("%n illegal in -r m<fmt> when -F has been specified: \"{}\"", marker));
    }
  }
  if (cross_over) return fail("-x must accompany +d or +D");
  if (!exempt_file_systems.empty()) {
    std::vector<std::string> mounted = procfs::read_mount_points();
    for (auto path = exempt_file_systems.rbegin(); path != exempt_file_systems.rend(); ++path) {  // last given first
      if (std::find(mounted.begin(), mounted.end(), *path) == mounted.end()) {
        return fail(fmt::format("\"-e {}\" is not a mounted file system.", *path));
      }
    }
  }
  const sockets::Selection& chosen = options.selection;
  bool anything_selected = chosen.network_given || !chosen.inet.empty() || chosen.unix_given || chosen.paths_given ||
                           !chosen.pids.include.empty() || !chosen.pids.exclude.empty() ||
                           !chosen.process_groups.include.empty() || !chosen.process_groups.exclude.empty() || !chosen.users.include.empty() ||
                           !chosen.users.exclude.empty() || !chosen.commands.include.empty() ||
                           !chosen.commands.exclude.empty() || chosen.fds.given;
  if (chosen.and_mode && !anything_selected) return fail("no select options to AND via -a");
  // A -s without -i still means internet sockets: this command lists nothing else.
  if ((options.selection.tcp_include || options.selection.tcp_exclude) && !options.selection.network_given &&
      options.selection.inet.empty() && !options.selection.unix_given && !options.selection.paths_given) {
    sockets::add_network_selection("", options.selection);
  }
  return options;
}

}  // namespace sockscope::cli
