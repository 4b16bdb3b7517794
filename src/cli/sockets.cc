// `sockscope sockets`: lsof -i's selection grammar and output over sock_diag, plus a table
// for people (--table) and JSON (--json). Exit 0 when something was listed, 1 when nothing
// matched or on an error, as lsof.
#include <netinet/tcp.h>
#include <unistd.h>

#include <algorithm>
#include <clocale>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/sockets_options.h"
#include "core/program_name.h"
#include "netlink/channel.h"
#include "output/sockets_lsof.h"
#include "output/sockets_render.h"
#include "procfs/net_unix.h"
#include "procfs/socket_fds.h"
#include "sockets/collect.h"
#include "sockets/owners.h"
#include "sockets/selection.h"
#include "sockets/socket_ends.h"

namespace sockscope::cli {
namespace {

constexpr int kFound = 0;
constexpr int kNothingOrError = 1;

void complain(const std::string& line) { fmt::print(stderr, "{} sockets: {}\n", program_name(), line); }

// Writes streamed output to stdout through stdio's buffer.
void to_stdout(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }

// The processes of the host, for lsof's rules on which -c command and -g group was found;
// read only when -c or -g names some.
std::vector<sockets::Owner> host_processes(const sockets::Selection& selection) {
  std::vector<sockets::Owner> processes;
  bool groups = !selection.process_groups.include.empty();
  if (selection.commands.include.empty() && !groups) return processes;
  for (pid_t pid : procfs::list_processes("/proc")) {
    procfs::ProcessInfo info = procfs::read_process_info("/proc", pid);
    if (info.command.empty()) continue;
    sockets::Owner process{pid, info.command, info.uid};
    if (groups) process.process_group = procfs::read_process_ids("/proc", pid).process_group;
    processes.push_back(process);
  }
  return processes;
}

// What one listing came to.
struct Listing {
  bool listed = false;  // some socket was listed
  // What exits 0. lsof's views: every item asked for was found, listed or not (`-a -U -p PID`
  // of a process without UNIX sockets lists nothing and exits 0 in lsof); the table and JSON:
  // something was listed.
  bool found = false;
  std::vector<std::string> missing;  // the items not found, as -V names them
};

// A listing that is not repeated leaves its records to the process's exit: freeing 50k of
// them one by one took 1.3 ms of an 80 ms listing. (Held from a static, so that leak checkers
// count them as reachable.)
void leave_to_exit(std::vector<sockets::SocketRecord>&& records) {
  static auto* left = new std::vector<sockets::SocketRecord>();
  *left = std::move(records);
}

Result<Listing> list_once(const SocketsOptions& options, netlink::Channel& channel) {
  const sockets::Selection& selection = options.selection;
  // A replayed dump comes from another time and namespace: this host's processes do not own it.
  bool join_owners = options.replay_path.empty();
  // With -a, named processes are all that can match: read only their descriptors.
  // (-E, +E and the table and JSON views, which name who holds the other end of local
  // connections, need every process.)
  std::vector<pid_t> only;
  bool other_ends = options.other_ends != OtherEnds::kHidden;
  bool lsof_like = options.view == SocketsView::kLsof || options.view == SocketsView::kFields || options.view == SocketsView::kPids;
  if (selection.and_mode && !selection.pids.include.empty() && lsof_like && !other_ends) only = selection.pids.include;
  // Started before the dump, to run beside it (see OwnerScan).
  std::optional<sockets::OwnerScan> owners;
  if (join_owners) owners = sockets::OwnerScan::start(options.owners, only);

  sockets::CollectRequest request = sockets::to_collect_request(selection);
  // The other end of a connection can be in another state (FIN_WAIT2 against CLOSE_WAIT).
  if (other_ends) request.states = ~0u;
  // lsof's views list owned sockets only, and a TIME_WAIT socket has no owner (its file is
  // closed): the kernel leaves them out of the dump, on a busy server most of its sockets.
  // Nor does lsof list a TCP socket that is only bound (/proc/net/tcp, where it looks, has
  // none), and asking for those costs a second walk over every bound socket.
  if (lsof_like) request.states &= ~((1u << TCP_TIME_WAIT) | (1u << sockets::kTcpBoundInactive));
  // Owners are joined to the records that have come while the dump goes on (when the
  // iterator is done by then).
  sockets::RecordsSoFar join_early;
  if (owners) join_early = [&](std::span<sockets::SocketRecord> so_far) { owners->join_early(so_far); };
  Result<std::vector<sockets::SocketRecord>> collected = options.from_proc
                                                             ? sockets::collect_sockets_from_proc(request)
                                                             : sockets::collect_sockets(channel, request, join_early);
  // Kernels built without inet_diag answer the dump with "not supported": fall back to /proc/net.
  if (!collected && !options.from_proc && options.replay_path.empty() &&
      (collected.error().code == ENOENT || collected.error().code == EOPNOTSUPP || collected.error().code == EPROTONOSUPPORT)) {
    collected = sockets::collect_sockets_from_proc(request);
  }
  if (!collected) return tl::unexpected(collected.error());
  std::vector<sockets::SocketRecord>& records = *collected;
  // Records the selection does not match stay until the join is done (it names records by
  // their place); lsof's views never show them, since a row matches only where its record does.
  // lsof's views list owned sockets only, by pid and descriptor: the join says which and in
  // about that order.
  std::optional<std::vector<uint32_t>> owned_in_order;
  if (!records.empty() && owners) {
    Result<sockets::OwnerJoin> join = owners->attach(records);
    if (!join) return tl::unexpected(join.error());
    owned_in_order = std::move(join->by_first_descriptor);
    if (join->unreadable_processes > 0 && options.warnings && geteuid() != 0) {
      complain(fmt::format("the descriptors of {} processes of other users could not be read; their sockets "
                           "show no owner (run as root to see them)",
                           join->unreadable_processes));
    }
  }
  // Process groups and parents (-F g and R, the -g and -R columns, -g's selection) cost a read
  // per process, -F's file flags (G) one per descriptor: read only when printed or selected on
  // (lsof's default field set prints them all).
  bool fields = options.view == SocketsView::kFields;
  bool all_fields = fields && options.fields.empty();
  bool groups_selected = !selection.process_groups.include.empty() || !selection.process_groups.exclude.empty();
  bool want_ids = all_fields || (fields && options.fields.find_first_of("gR") != std::string::npos) ||
                  (options.view == SocketsView::kLsof && (options.style.parent_column || options.style.group_column)) ||
                  groups_selected;
  bool want_flags = all_fields || (fields && options.fields.find('G') != std::string::npos);
  if (want_ids || want_flags) {
    std::unordered_map<pid_t, procfs::ProcessIds> ids;
    std::vector<sockets::Owner*> flags_wanted;
    for (sockets::SocketRecord& record : records) {
      if (!sockets::socket_matches(selection, record)) continue;  // kept only for the join's numbering
      for (sockets::Owner& owner : record.owners) {
        if (want_ids) {
          auto known = ids.find(owner.pid);
          if (known == ids.end()) known = ids.emplace(owner.pid, procfs::read_process_ids("/proc", owner.pid)).first;
          owner.parent = known->second.parent;
          owner.process_group = known->second.process_group;
        }
        if (want_flags) flags_wanted.push_back(&owner);
      }
    }
    std::sort(flags_wanted.begin(), flags_wanted.end(), [](const sockets::Owner* a, const sockets::Owner* b) {
      return a->pid != b->pid ? a->pid < b->pid : a->fd < b->fd;
    });
    procfs::FdFlagsReader flags("/proc");
    for (sockets::Owner* owner : flags_wanted) owner->file_flags = flags.read(owner->pid, owner->fd);
  }
  if (lsof_like) {
    // (UNIX records come only when asked for: a pass over 100k records is not free.)
    bool has_unix = request.unix_domain &&
                    std::any_of(records.begin(), records.end(), [](const auto& r) { return r.protocol == sockets::Protocol::kUnix; });
    if (has_unix) {
      std::unordered_map<uint64_t, uint64_t> addresses = procfs::read_unix_addresses();
      for (sockets::SocketRecord& record : records) {
        auto found = addresses.find(record.inode);
        if (found != addresses.end()) record.kernel_address = found->second;
      }
    }
    output::LsofStyle style = options.style;
    std::optional<sockets::SocketEnds> ends;
    if (other_ends) {
      ends.emplace(records);
      style.ends = &*ends;
    }
    std::vector<output::LsofRow> rows =
        output::select_lsof_rows(records, selection, owned_in_order ? &*owned_in_order : nullptr);
    if (options.other_ends == OtherEnds::kShownAndListed) output::add_other_end_rows(rows, *ends);
    sockets::SocketRows pairs;
    pairs.reserve(rows.size());
    for (const output::LsofRow& row : rows) pairs.emplace_back(row.record, row.owner);
    std::vector<sockets::Owner> processes = host_processes(selection);
    auto pid_exists = [](pid_t pid) { return access(fmt::format("/proc/{}", pid).c_str(), F_OK) == 0; };
    std::vector<std::string> missing = sockets::items_not_found(selection, pairs, {}, processes, pid_exists);
    // With -a, lsof also counts for its -i and -s items the sockets that -d or another kind then
    // drops: asked for only when the listed ones leave such an item not found (a pass over
    // every record).
    bool internet_missing = std::any_of(missing.begin(), missing.end(), [](const std::string& item) {
      return item.starts_with("Internet address not located") || item == "no Internet files located" ||
             item.starts_with("TCP state not located");
    });
    if (selection.and_mode && internet_missing) {
      sockets::SocketRows counted;
      for (const sockets::SocketRecord& record : records) {
        for (const sockets::Owner& owner : record.owners) {
          if (sockets::counts_for_internet_items(selection, record, owner)) counted.emplace_back(&record, &owner);
        }
      }
      missing = sockets::items_not_found(selection, pairs, counted, processes, pid_exists);
    }
    if (options.view == SocketsView::kLsof) {
      output::write_lsof(rows, style, to_stdout);
    } else if (options.view == SocketsView::kPids) {
      to_stdout(output::render_lsof_pids(rows));
    } else {
      output::write_lsof_fields(rows, style, options.fields, options.nul_fields, to_stdout);
    }
    if (!options.repeat_seconds) leave_to_exit(std::move(records));
    bool found = missing.empty();
    return Listing{!rows.empty(), found, std::move(missing)};
  }

  if (owners) {
    // (Before the records not shown go: the other end may be one of them. A UNIX listener's
    // "other end", lsof's waiting client, is no peer.)
    sockets::SocketEnds ends(records);
    for (sockets::SocketRecord& record : records) {
      if (record.state == TCP_LISTEN) continue;
      const sockets::SocketRecord* other = ends.other_end(record);
      if (other != nullptr && other != &record) record.peer_owners = other->owners;
    }
  }
  std::erase_if(records, [&](const sockets::SocketRecord& record) {
    if (!sockets::socket_matches(selection, record)) return true;
    bool keep = record.owners.empty() ? sockets::row_matches(selection, record, nullptr)
                                      : std::any_of(record.owners.begin(), record.owners.end(), [&](const sockets::Owner& o) {
                                          return sockets::row_matches(selection, record, &o);
                                        });
    return !keep;
  });
  if (options.replay_path.empty()) sockets::read_reuse_flags(records);
  if (options.view == SocketsView::kJson) {
    output::write_sockets_json(records, to_stdout);
  } else if (!records.empty()) {
    output::write_sockets_table(records, to_stdout);
  }
  bool listed = !records.empty();
  if (!options.repeat_seconds) leave_to_exit(std::move(records));
  return Listing{listed, listed, {}};
}

std::string repeat_marker(const SocketsOptions& options) {
  std::string text = "=======";
  if (!options.repeat_marker.empty()) {
    char buffer[512];
    std::time_t now = std::time(nullptr);
    size_t length = std::strftime(buffer, sizeof buffer, options.repeat_marker.c_str(), std::localtime(&now));
    text = std::string(buffer, length);
  }
  if (options.view == SocketsView::kFields) return "m" + (options.repeat_marker.empty() ? "" : text) + (options.nul_fields ? std::string(1, '\0') : "") + "\n";
  return text + "\n";
}

// -F?: the field letters, one line each, as lsof writes them (a script may read them).
void print_field_help() {
  static constexpr std::pair<char, std::string_view> kFields[] = {
      {'a', "access: r = read; w = write; u = read/write"},
      {'c', "command name"},
      {'d', "device character code"},
      {'D', "major/minor device number as 0x<hex>"},
      {'f', "file descriptor"},
      {'G', "file flaGs"},
      {'i', "inode number"},
      {'k', "link count"},
      {'K', "task ID (TID)"},
      {'l', "lock: r/R = read; w/W = write; u = read/write"},
      {'L', "login name"},
      {'m', "marker between repeated output"},
      {'M', "task comMand name"},
      {'n', "comment, name, Internet addresses"},
      {'o', "file offset as 0t<dec> or 0x<hex>"},
      {'p', "process ID (PID)"},
      {'g', "process group ID (PGID)"},
      {'P', "protocol name"},
      {'r', "raw device number as 0x<hex>"},
      {'R', "paRent PID"},
      {'s', "file size"},
      {'S', "stream module and device names"},
      {'t', "file type"},
      {'T', "TCP/TPI info"},
      {'u', "user ID (UID)"},
      {'0', "(zero) use NUL field terminator instead of NL"},
  };
  std::string text = fmt::format("{} sockets:\tID    field description\n", program_name());
  for (const auto& [letter, meaning] : kFields) text += fmt::format("\t {}    {}\n", letter, meaning);
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace

void print_sockets_help() {
  fmt::print(
      "usage: {} sockets [-i [46][tcp|udp|udplite][@host][:ports]]... [-s PROTO:STATE,...] [-a] [-p PIDS] [-u USERS]\n"
      "                  [-c COMMAND] [-U] [-n] [-P] [-l] [-t] [+|-E] [-F [FIELDS]] [-r|+r [SECS]] [--table] [--json]\n"
      "                  [--] [PATH...]\n\n"
      "Lists sockets and the processes that hold them, asking the kernel (sock_diag) only for the\n"
      "sockets the selection can match. Selections use lsof's grammar and, by default, are ORed:\n\n"
      "  -i SPEC   internet sockets: -i4, -iTCP, -i :4444, -i @127.0.0.1:8000-8010, -i UDP:domain\n"
      "  -s P:S    TCP states to keep (TCP:LISTEN) or to drop (TCP:^ESTABLISHED)\n"
      "  -p PIDS   processes (comma list, ^PID excludes)    -u USERS  users (names or uids, ^ excludes)\n"
      "  -g PGIDS  process groups (comma list, ^ excludes); also the PGID column\n"
      "  -c TEXT   commands starting with TEXT, or matching /regex/ (^ excludes)\n"
      "  -d FDS    descriptors: 3, 0-9, fd (^ excludes)    -U        UNIX sockets\n"
      "  PATH      UNIX sockets bound to that path (as written)\n"
      "  -a        AND the selections instead of ORing them\n\n"
      "Output is lsof's, column for column, except that IPv6 link-local addresses keep their %scope.\n"
      "  -n -P -l  numeric hosts, ports, users       -t  process ids only\n"
      "  -R -g     PPID and PGID columns    +c W  COMMAND width (0: whole)    -o  OFFSET column\n"
      "  -T [qs]   after the address: s state (default), q queue lengths; bare -T nothing\n"
      "  -s        alone: a SIZE column     -Q  exit 0 even if something was not found\n"
      "  -V        name each item that was not found (after the listing, on stdout)\n"
      "  -E        after each address, the processes at the other end of connections within\n"
      "            this host (UNIX sockets: ->INO= and its inode first); +E lists their sockets too\n"
      "  -F FIELDS lsof's field output (p c u L f t d o P n T ...; 0 ends fields with NUL; -F? lists them)\n"
      "  -r SECS[cN][mFMT]  list again every SECS seconds, N times at most, FMT (strftime) as the\n"
      "            marker (+r: until nothing is listed)\n"
      "  --table   a table for people: protocol, local, peer, state, SO_REUSEADDR/SO_REUSEPORT, owners,\n"
      "            and listeners that share one address:port marked '(1 of N)'\n"
      "  --json    one object per socket, with the same facts\n"
      "  --owners=proc|bpf  read process descriptors from /proc/*/fd, or with a BPF iterator (root);\n"
      "            by default the iterator where it loads, /proc otherwise\n\n"
      "Exit status: 0 something was listed, 1 nothing matched or an error (as lsof).\n",
      program_name());
}

int run_sockets(int argc, char** argv) {
  // lsof takes its character classes from the environment: in a UTF-8 locale it writes a
  // name's printable multibyte characters as they are (see output/lsof_safe_text.h).
  std::setlocale(LC_CTYPE, "");
  Result<SocketsOptions> options = parse_sockets_options(argc, argv);
  if (!options) {
    complain(options.error().message());
    return kNothingOrError;
  }
  if (options->help || options->field_help) {
    if (options->help) print_sockets_help();
    if (options->field_help) print_field_help();
    return kFound;
  }
  Result<netlink::Channel> channel = options->replay_path.empty() ? netlink::Channel::open(NETLINK_SOCK_DIAG)
                                                                   : netlink::Channel::replay(options->replay_path);
  if (!channel && options->replay_path.empty()) {
    // No sock_diag at all: /proc/net/* it is, through a channel that is never used.
    options->from_proc = true;
    channel = netlink::Channel::open(NETLINK_ROUTE);
  }
  if (channel && !options->record_path.empty()) {
    if (Result<void> recording = channel->record_to(options->record_path); !recording) channel = tl::unexpected(recording.error());
  }
  if (!channel) {
    complain(channel.error().message());
    return kNothingOrError;
  }
  for (const std::string& notice : options->notices) complain(notice);
  // -Q silences lsof's errors about search items as it ignores them in the exit status.
  if (!options->ignore_failed_search) {
    for (const std::string& error : options->operand_errors) complain(error);
  }
  if (options->warnings) {
    for (const std::string& warning : options->operand_warnings) complain(warning);
  }
  // lsof lists nothing at all when no file operand could be used (unless -Q).
  const sockets::Selection& selection = options->selection;
  if (selection.paths_given && selection.unix_paths.empty() && !options->ignore_failed_search) return kNothingOrError;
  bool found_ever = false;
  bool listed_ever = false;
  std::vector<std::string> missing;
  // -V: what the last listing did not find, once at the end and on stdout, as lsof reports it.
  auto report_missing = [&] {
    if (!options->verbose_search) return;
    for (const std::string& item : missing) fmt::print(stdout, "{} sockets: {}\n", program_name(), item);
  };
  for (int round = 1;; ++round) {
    Result<Listing> listing = list_once(*options, *channel);
    if (!listing) {
      complain(listing.error().message());
      return kNothingOrError;
    }
    found_ever = found_ever || listing->found;
    listed_ever = listed_ever || listing->listed;
    missing = std::move(listing->missing);
    if (!options->repeat_seconds || (options->repeat_until_empty && !listing->listed)) break;
    std::string marker = repeat_marker(*options);
    std::fwrite(marker.data(), 1, marker.size(), stdout);
    std::fflush(stdout);
    if (options->repeat_count && round >= *options->repeat_count) break;
    std::this_thread::sleep_for(std::chrono::seconds(*options->repeat_seconds));
  }
  report_missing();
  // +r: lsof exits 1 also when no round listed anything (or, +r 0, nothing was repeated).
  if (options->repeat_until_empty && (!listed_ever || !options->repeat_seconds)) return kNothingOrError;
  if (options->ignore_failed_search) return kFound;
  return found_ever && options->operand_errors.empty() ? kFound : kNothingOrError;
}

}  // namespace sockscope::cli
