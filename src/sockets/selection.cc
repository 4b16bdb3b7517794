#include "sockets/selection.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <pwd.h>

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

#include "core/decimal.h"
#include "core/services.h"

namespace sockscope::sockets {
namespace {

// Indexed by the kernel's TCP_* numbers, spelled as lsof spells them on Linux; 0, which no
// socket is in, is lsof's CLOSED. (lsof has no name for NEW_SYN_RECV: -s refuses it.)
constexpr std::array<std::string_view, 13> kTcpStateNames = {
    "CLOSED",    "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
    "CLOSE",     "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "CLOSING",   "NEW_SYN_RECV"};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

// The address as lsof compares it: an IPv4-mapped IPv6 address is its IPv4 address, and
// the scope does not take part (a host given as text has none).
IpAddress comparable(IpAddress address) {
  if (address.family == AF_INET6 && address.is_v4_mapped()) address = address.unmapped();
  address.scope_id = 0;
  return address;
}

bool connected(const SocketRecord& record) { return !record.remote.address.is_unspecified() || record.remote.port != 0; }

bool end_matches(const InetSpec& spec, const Endpoint& end) {
  bool host_ok = spec.hosts.empty() || std::any_of(spec.hosts.begin(), spec.hosts.end(), [&](const IpAddress& host) {
                   return comparable(host) == comparable(end.address);
                 });
  bool port_ok = spec.ports.empty() ||
                 std::any_of(spec.ports.begin(), spec.ports.end(), [&](const PortRange& r) { return r.contains(end.port); });
  return host_ok && port_ok;
}

// The family an address spec compares with, lsof's: an IPv6 socket with a v4-mapped address
// at either end (a dual-stack socket talking IPv4) counts as IPv4, though its TYPE stays IPv6
// (a bare -i4 or -i6 goes by TYPE).
int spec_family(const SocketRecord& record) {
  bool mapped = record.local.address.is_v4_mapped() || record.remote.address.is_v4_mapped();
  return record.family == AF_INET6 && mapped ? AF_INET : record.family;
}

bool spec_matches(const InetSpec& spec, const SocketRecord& record) {
  if (spec.impossible_port || record.protocol == Protocol::kUnix) return false;
  if (spec.family != AF_UNSPEC && spec.family != spec_family(record)) return false;
  if (spec.protocol && *spec.protocol != record.protocol) return false;
  if (spec.hosts.empty() && spec.ports.empty()) return true;
  return end_matches(spec, record.local) || (connected(record) && end_matches(spec, record.remote));
}

// lsof compares the kernel's state number of every internet socket with the -s TCP list,
// so a connected UDP socket (state ESTABLISHED) passes "-sTCP:ESTABLISHED"; we do the same.
bool state_allowed(const Selection& selection, const SocketRecord& record) {
  if (record.protocol == Protocol::kUnix) return true;
  uint32_t bit = 1u << record.state;
  if (selection.tcp_include != 0 && !(selection.tcp_include & bit)) return false;
  return !(selection.tcp_exclude & bit);
}

bool owner_included(const Selection& selection, const Owner* owner) {
  if (owner == nullptr) return false;
  const auto& pids = selection.pids.include;
  const auto& users = selection.users.include;
  const auto& commands = selection.commands.include;
  const auto& groups = selection.process_groups.include;
  return (selection.fds.given && selection.fds.matches(owner->fd)) ||
         std::find(pids.begin(), pids.end(), owner->pid) != pids.end() ||
         std::find(groups.begin(), groups.end(), owner->process_group) != groups.end() ||
         std::find(users.begin(), users.end(), owner->uid) != users.end() ||
         std::any_of(commands.begin(), commands.end(), [&](const CommandPattern& c) { return c.matches(owner->command); });
}

// Whether the process passes each of the -p, -g and -u lists given (as -a asks).
bool process_in_every_id_list(const Selection& s, const Owner& process) {
  auto passes = [](const auto& list, auto id) { return list.empty() || std::find(list.begin(), list.end(), id) != list.end(); };
  return passes(s.pids.include, process.pid) && passes(s.process_groups.include, process.process_group) &&
         passes(s.users.include, process.uid);
}

// In -a mode every owner list given must match on its own.
bool owner_included_in_all(const Selection& selection, const Owner* owner) {
  const auto& s = selection;
  if (owner == nullptr) {
    return s.pids.include.empty() && s.process_groups.include.empty() && s.users.include.empty() &&
           s.commands.include.empty() && !s.fds.given;
  }
  if (s.fds.given && !s.fds.matches(owner->fd)) return false;
  if (!process_in_every_id_list(s, *owner)) return false;
  if (!s.commands.include.empty() &&
      std::none_of(s.commands.include.begin(), s.commands.include.end(),
                   [&](const CommandPattern& c) { return c.matches(owner->command); })) {
    return false;
  }
  return true;
}

bool owner_excluded(const Selection& selection, const Owner* owner) {
  if (owner == nullptr) return false;
  const auto& s = selection;
  const auto& groups = s.process_groups.exclude;
  return std::find(s.pids.exclude.begin(), s.pids.exclude.end(), owner->pid) != s.pids.exclude.end() ||
         std::find(groups.begin(), groups.end(), owner->process_group) != groups.end() ||
         std::find(s.users.exclude.begin(), s.users.exclude.end(), owner->uid) != s.users.exclude.end() ||
         std::any_of(s.commands.exclude.begin(), s.commands.exclude.end(),
                     [&](const CommandPattern& c) { return c.matches(owner->command); });
}

bool owner_lists_given(const Selection& s) {
  return !s.pids.include.empty() || !s.process_groups.include.empty() || !s.users.include.empty() ||
         !s.commands.include.empty() || s.fds.given;
}

// lsof's kinds of socket selection: network sockets (a bare -i, -i4, -i6), -i address specs
// and -U. With -a every kind given must match (`-U -a -i` selects nothing); otherwise any one.
bool kind_matches(const Selection& selection, const SocketRecord& record, bool& kind_given) {
  bool is_inet = record.protocol != Protocol::kUnix;
  struct Kind {
    bool given;
    bool matched;
  };
  const Kind kinds[] = {
      {selection.network_given,
       is_inet && (selection.network_family == AF_UNSPEC || selection.network_family == record.family)},
      {!selection.inet.empty(), is_inet && std::any_of(selection.inet.begin(), selection.inet.end(),
                                                       [&](const InetSpec& s) { return spec_matches(s, record); })},
      {selection.unix_given, !is_inet},
      {selection.paths_given, !is_inet && std::find(selection.unix_paths.begin(), selection.unix_paths.end(),
                                                    record.unix_path) != selection.unix_paths.end()},
  };
  kind_given = std::any_of(std::begin(kinds), std::end(kinds), [](const Kind& k) { return k.given; });
  if (selection.and_mode) return std::all_of(std::begin(kinds), std::end(kinds), [](const Kind& k) { return !k.given || k.matched; });
  return std::any_of(std::begin(kinds), std::end(kinds), [](const Kind& k) { return k.given && k.matched; });
}

// A service name's port, for the spec's protocol (or TCP's, else UDP's, when it has none;
// /etc/services names no UDP-Lite ports, so every name is unknown for UDP-Lite, as in lsof).
Result<uint16_t> service_item(std::string_view name, std::optional<Protocol> protocol, std::string_view whole) {
  std::optional<uint16_t> port;
  if (protocol) {
    port = service_port(name, protocol_name(*protocol));
    if (!port) return fail(fmt::format("unknown service {} for {} in: -i {}", name, protocol_name(*protocol), whole));
  } else {
    port = service_port(name, "tcp");
    if (!port) port = service_port(name, "udp");
    if (!port) return fail(fmt::format("unknown service {} in: -i {}", name, whole));
  }
  return *port;
}

// Digits as a port number; past 65535 (or too long to read) 65536, which no socket has.
uint32_t port_number(std::string_view digits) {
  uint32_t number = 0;
  return parse_decimal(digits, number) ? std::min<uint32_t>(number, 65536) : 65536;
}

// One entry of a port list, as lsof reads it: a service name (a dash inside belongs to the
// name, so a range never starts with one), a number, or a range from a number to a number or
// to a service name ("1-http"); "lo-" is lo-0. Nothing when it cannot match (above 65535).
Result<std::optional<PortRange>> parse_port_entry(std::string_view entry, bool comma_follows, std::optional<Protocol> protocol,
                                                  std::string_view whole) {
  auto unacceptable = [&] { return fail(fmt::format("unacceptable port specification in: -i {}", whole)); };
  if (!std::isdigit(static_cast<unsigned char>(entry[0]))) {
    Result<uint16_t> port = service_item(entry, protocol, whole);
    if (!port) return tl::unexpected(port.error());
    return PortRange{*port, *port};
  }
  size_t dash = entry.find('-');
  std::string_view first = entry.substr(0, dash);
  if (!all_digits(first)) return unacceptable();
  uint32_t low = port_number(first);
  uint32_t high = low;
  if (dash != std::string_view::npos) {
    std::string_view last = entry.substr(dash + 1);
    if (last.empty()) {
      // lsof reads the comma after "lo-" as the start of an empty service name.
      if (comma_follows) return fail(fmt::format("invalid service name: -i {}", whole));
      high = 0;
    } else if (std::isdigit(static_cast<unsigned char>(last[0]))) {
      if (!all_digits(last)) return unacceptable();
      high = port_number(last);
    } else {
      Result<uint16_t> port = service_item(last, protocol, whole);
      if (!port) return tl::unexpected(port.error());
      high = *port;
    }
    if (high < low) return unacceptable();
  }
  if (low > 65535) return std::optional<PortRange>();
  return PortRange{static_cast<uint16_t>(low), static_cast<uint16_t>(std::min<uint32_t>(high, 65535))};
}

// A host name is looked up in the spec's family alone, as lsof looks it up: `-i 6@localhost`
// is an unknown host where localhost has no IPv6 address. Numeric addresses are taken as
// written, and the caller refuses those of the other family.
Result<std::vector<IpAddress>> parse_host(std::string_view host, int family, std::string_view whole) {
  if (host.empty()) return fail(fmt::format("unacceptable Internet address in: -i {}", whole));
  if (host.front() == '[') {
    if (host.back() != ']') return fail(fmt::format("unacceptable Internet address in: -i {}", whole));
    Result<IpAddress> address = parse_ip_address(host.substr(1, host.size() - 2), ScopeRule::kOptional);
    if (!address || address->family != AF_INET6) return fail(fmt::format("unacceptable Internet address in: -i {}", whole));
    return std::vector<IpAddress>{*address};
  }
  if (Result<IpAddress> numeric = parse_ip_address(host, ScopeRule::kOptional)) return std::vector<IpAddress>{*numeric};
  // lsof looks names up with gethostbyname2, which reads a name as an IPv4 number only when it
  // is all digits and dots (127.1, 2130706433); getaddrinfo would take 0x7f000001 for one too,
  // where lsof finds no such host.
  in_addr number;
  if (host.find_first_not_of("0123456789.") != std::string_view::npos && inet_aton(std::string(host).c_str(), &number) != 0) {
    return fail(fmt::format("unknown host name ({}) in: -i {}", host, whole));
  }
  Result<std::vector<IpAddress>> resolved = resolve_host({.host = host, .family = family});
  if (!resolved || resolved->empty()) return fail(fmt::format("unknown host name ({}) in: -i {}", host, whole));
  return resolved;
}

// Calls visit(item, excluded) for each comma-separated item, "^" stripped, as lsof splits its
// lists: an empty item counts (",1" has two), but a comma may end the list; stops at the first
// error.
template <class Visit>
Result<void> for_each_list_item(std::string_view text, Visit visit) {
  for (size_t start = 0; start < text.size();) {
    size_t comma = std::min(text.find(',', start), text.size());
    std::string_view item = text.substr(start, comma - start);
    start = comma + 1;
    bool exclude = item.starts_with('^');
    Result<void> done = visit(exclude ? item.substr(1) : item, exclude);
    if (!done) return done;
  }
  return {};
}

}  // namespace

std::string tcp_state_name(uint8_t state) {
  if (state < kTcpStateNames.size()) return std::string(kTcpStateNames[state]);
  return fmt::format("UNKNOWN_{}", state);
}

std::string unix_state_name(const SocketRecord& record) {
  if (record.state == TCP_LISTEN) return "LISTEN";
  if (record.state == TCP_ESTABLISHED || record.unix_peer_inode != 0) return "CONNECTED";
  return "UNCONNECTED";
}

bool is_network_selection(std::string_view text) { return text.empty() || text == "4" || text == "6"; }

void add_network_selection(std::string_view text, Selection& selection) {
  selection.network_given = true;
  if (text.empty()) {
    selection.network_family = AF_UNSPEC;
    return;
  }
  int family = text == "4" ? AF_INET : AF_INET6;
  bool narrows = selection.network_family == AF_UNSPEC || selection.network_family == family;
  selection.network_family = narrows ? family : AF_UNSPEC;
}

Result<InetSpec> parse_inet_spec(std::string_view text, int default_family) {
  InetSpec spec;
  spec.text = text;
  spec.family = default_family;
  std::string_view rest = text;
  if (!rest.empty() && (rest[0] == '4' || rest[0] == '6')) {
    spec.family = rest[0] == '4' ? AF_INET : AF_INET6;
    rest.remove_prefix(1);
  }
  bool zero_address = false;
  size_t protocol_end = rest.find_first_of("@:");
  std::string_view protocol = rest.substr(0, protocol_end);
  if (!protocol.empty()) {
    if (equal_ignoring_case(protocol, "tcp")) {
      spec.protocol = Protocol::kTcp;
    } else if (equal_ignoring_case(protocol, "udp")) {
      spec.protocol = Protocol::kUdp;
    } else if (equal_ignoring_case(protocol, "udplite")) {
      spec.protocol = Protocol::kUdpLite;
    } else {
      return fail(fmt::format("unknown protocol name ({}) in: -i {}", protocol, text));
    }
  }
  rest = protocol_end == std::string_view::npos ? std::string_view() : rest.substr(protocol_end);
  if (!rest.empty() && rest[0] == '@') {
    rest.remove_prefix(1);
    // The host ends at the first colon outside brackets.
    size_t host_end = rest.starts_with("[") ? rest.find(']') : rest.find(':');
    if (rest.starts_with("[")) host_end = host_end == std::string_view::npos ? rest.size() : host_end + 1;
    if (host_end == std::string_view::npos) host_end = rest.size();
    Result<std::vector<IpAddress>> hosts = parse_host(rest.substr(0, host_end), spec.family, text);
    if (!hosts) return tl::unexpected(hosts.error());
    for (const IpAddress& host : *hosts) {
      if (spec.family == AF_INET6 && host.family == AF_INET) return fail(fmt::format("IPv4 addresses are prohibited: -i {}", text));
      if (spec.family == AF_INET && host.family == AF_INET6 && !host.is_v4_mapped()) {
        return fail(fmt::format("IPv6 addresses are prohibited: -i {}", text));
      }
      // lsof refuses :: outright, and reads 0.0.0.0 as no address at all (IPv4 only).
      if (host.family == AF_INET6 && host.is_unspecified()) return fail(fmt::format("unacceptable Internet address in: -i {}", text));
      if (comparable(host).is_unspecified()) {
        zero_address = true;
        spec.family = AF_INET;
      }
    }
    if (!zero_address) spec.hosts = *hosts;
    rest = rest.substr(host_end);
  }
  if (!rest.empty()) {
    // (Only "]x" can leave something else here, and lsof takes that for a port.)
    if (rest[0] != ':' || rest.size() == 1) return fail(fmt::format("unacceptable port specification in: -i {}", text));
    rest.remove_prefix(1);
    bool any_possible = false;
    size_t start = 0;
    while (start <= rest.size()) {
      size_t comma = rest.find(',', start);
      std::string_view entry = rest.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      start = comma == std::string_view::npos ? rest.size() + 1 : comma + 1;
      if (entry.empty()) {
        if (comma == std::string_view::npos) break;  // a trailing comma is fine
        return fail(fmt::format("invalid service name: -i {}", text));
      }
      Result<std::optional<PortRange>> range = parse_port_entry(entry, comma != std::string_view::npos, spec.protocol, text);
      if (!range) return tl::unexpected(range.error());
      if (*range) {
        spec.ports.push_back(**range);
        any_possible = true;
      }
    }
    spec.impossible_port = !any_possible;
  }
  if (zero_address && !spec.protocol && spec.ports.empty() && !spec.impossible_port) {
    return fail(fmt::format("incomplete Internet address specification: -i {}", text));
  }
  return spec;
}

Result<void> parse_state_spec(std::string_view text, Selection& selection) {
  size_t colon = text.find(':');
  std::string_view protocol = text.substr(0, colon);
  if (colon == std::string_view::npos || !(equal_ignoring_case(protocol, "tcp") || equal_ignoring_case(protocol, "udp"))) {
    return fail(fmt::format("unknown -s protocol: \"{}\"", text));
  }
  std::string_view named = equal_ignoring_case(protocol, "tcp") ? "TCP" : "UDP";  // as lsof names it, whatever the case
  std::string_view names = text.substr(colon + 1);
  if (names.empty()) return fail(fmt::format("no {} state names in: {}", named, text));
  if (named == "UDP") return fail(fmt::format("no UDP state names available: {}", text));
  // Each name after an optional ^; a comma may end the list, but no name may be empty.
  for (size_t start = 0; start < names.size();) {
    size_t comma = std::min(names.find(',', start), names.size());
    std::string_view name = names.substr(start, comma - start);
    start = comma + 1;
    bool exclude = name.starts_with('^');
    if (exclude) name.remove_prefix(1);
    if (name.empty()) return fail(fmt::format("NULL TCP state name in: {}", text));
    // lsof's names: the kernel's up to CLOSING, and CLOSED for 0, which no Linux socket is in.
    auto known = kTcpStateNames.begin() + TCP_CLOSING + 1;
    auto found = std::find_if(kTcpStateNames.begin(), known, [&](std::string_view n) { return equal_ignoring_case(n, name); });
    if (found == known) return fail(fmt::format("unknown TCP state name: {}", name));
    uint32_t bit = 1u << (found - kTcpStateNames.begin());
    uint32_t& same = exclude ? selection.tcp_exclude : selection.tcp_include;
    uint32_t& other = exclude ? selection.tcp_include : selection.tcp_exclude;
    if (same & bit) return fail(fmt::format("duplicate TCP {}: {}", exclude ? "exclusion" : "inclusion", name));
    if (other & bit) return fail(fmt::format("can't include and exclude TCP state: {}", *found));  // lsof's spelling
    same |= bit;
  }
  return {};
}

bool FdList::matches(int fd) const {
  auto in = [fd](const std::vector<Range>& ranges) {
    return std::any_of(ranges.begin(), ranges.end(), [fd](const Range& r) { return fd >= r.low && fd <= r.high; });
  };
  if (!include.empty() || include_numbers || include_names) return include_numbers || in(include);
  return !exclude_numbers && !in(exclude);
}

Result<void> parse_fd_list(std::string_view text, FdList& fds) {
  if (text.empty()) return fail("no file descriptor specified");
  fds.given = true;
  return for_each_list_item(text, [&](std::string_view item, bool exclude) -> Result<void> {
    if (item.empty()) return {};  // a lone ^: nothing, as lsof skips it
    // An item with a dash is a range, split at its last dash as lsof splits it: digits before
    // it, digits or nothing (0) after, low below high.
    std::optional<FdList::Range> range;
    if (size_t dash = item.rfind('-'); dash != std::string_view::npos) {
      if (dash == 0) return fail(fmt::format("illegal FD range for -d: {}", item));
      std::string_view low_text = item.substr(0, dash), high_text = item.substr(dash + 1);
      int low = 0, high = 0;
      bool numbers = all_digits(low_text) && parse_decimal(low_text, low) &&
                     (high_text.empty() || (all_digits(high_text) && parse_decimal(high_text, high)));
      if (!numbers) {
        return fail(fmt::format("non-digit in -d FD range: {}", item));
      }
      if (low >= high) return fail(fmt::format("-d FD range's low >= its high: {}", item));
      range = FdList::Range{low, high};
    } else if (int number = 0; all_digits(item) && parse_decimal(item, number)) {
      range = FdList::Range{number, number};
    }
    bool includes = !fds.include.empty() || fds.include_numbers || fds.include_names;
    bool excludes = !fds.exclude.empty() || fds.exclude_numbers;
    if (exclude && includes) return fail(fmt::format("exclude in an include -d list: ^{}", item));
    if (!exclude && excludes) return fail(fmt::format("include in an exclude -d list: {}", item));
    if (range) {
      (exclude ? fds.exclude : fds.include).push_back(*range);
    } else if (item == "fd") {
      (exclude ? fds.exclude_numbers : fds.include_numbers) = true;
    } else if (!exclude) {
      fds.include_names = true;  // cwd, txt, mem...: no socket is held under a name
    }
    return {};
  });
}

namespace {

// -p and -g lists: numbers, ^ to exclude (an empty item is 0, as lsof reads it); what lsof
// calls them in its errors, which name the whole list.
Result<void> parse_id_list(std::string_view text, IncludeExclude<pid_t>& ids, std::string_view long_name,
                           std::string_view short_name) {
  return for_each_list_item(text, [&](std::string_view number, bool exclude) -> Result<void> {
    pid_t id = 0;
    if (!number.empty() && !(all_digits(number) && parse_decimal(number, id))) {
      return fail(fmt::format("illegal {}: {}", long_name, text));
    }
    const std::vector<pid_t>& other = exclude ? ids.include : ids.exclude;
    if (std::find(other.begin(), other.end(), id) != other.end()) {
      return fail(fmt::format("{} {} has been included and excluded.", short_name, id));
    }
    std::vector<pid_t>& same = exclude ? ids.exclude : ids.include;
    if (std::find(same.begin(), same.end(), id) == same.end()) same.push_back(id);  // one item, as lsof keeps it
    return {};
  });
}

}  // namespace

Result<void> parse_pid_list(std::string_view text, IncludeExclude<pid_t>& pids) {
  return parse_id_list(text, pids, "process ID", "PID");
}

Result<void> parse_process_group_list(std::string_view text, IncludeExclude<pid_t>& groups) {
  return parse_id_list(text, groups, "process group ID", "PGID");
}

Result<void> parse_user_list(std::string_view text, IncludeExclude<uid_t>& users) {
  return for_each_list_item(text, [&](std::string_view item, bool exclude) -> Result<void> {
    std::string name(item);
    uid_t uid = 0;  // an empty item too, as lsof reads it
    if (!name.empty() && !parse_decimal(std::string_view(name), uid)) {
      passwd* entry = getpwnam(name.c_str());
      if (entry == nullptr) return fail(fmt::format("can't get UID for {}", name));
      uid = entry->pw_uid;
    }
    const std::vector<uid_t>& other = exclude ? users.include : users.exclude;
    if (std::find(other.begin(), other.end(), uid) != other.end()) {
      return fail(fmt::format("UID {} has been included and excluded.", uid));
    }
    std::vector<uid_t>& same = exclude ? users.exclude : users.include;
    if (std::find(same.begin(), same.end(), uid) == same.end()) same.push_back(uid);
    return {};
  });
}

Result<void> parse_command_list(std::string_view text, IncludeExclude<CommandPattern>& commands) {
  bool exclude = text.starts_with('^');
  std::string_view name = exclude ? text.substr(1) : text;
  const std::vector<CommandPattern>& other = exclude ? commands.include : commands.exclude;
  if (std::any_of(other.begin(), other.end(), [&](const CommandPattern& c) { return c.text() == name; })) {
    return fail(fmt::format("-c^{0} and -c{0} conflict.", name));
  }
  Result<CommandPattern> pattern = CommandPattern::parse(name, !exclude);
  if (!pattern) return tl::unexpected(pattern.error());
  // A longer prefix than the kernel keeps could never match.
  if (!pattern->is_regex() && name.size() > kCommandNameLimit) {
    return fail(fmt::format("\"-c {}\" length ({}) > what system provides ({})", name, name.size(), kCommandNameLimit));
  }
  (exclude ? commands.exclude : commands.include).push_back(*pattern);
  return {};
}

CollectRequest to_collect_request(const Selection& selection) {
  CollectRequest request;
  bool owner_lists = owner_lists_given(selection);
  // Sockets that only owner lists select can be of any kind (as `lsof -p` shows every file).
  bool any_kind = owner_lists && !selection.and_mode;
  bool inet_given = selection.network_given || !selection.inet.empty();
  bool default_inet = !inet_given && !selection.unix_given && !selection.paths_given;
  request.unix_domain = selection.unix_given || selection.paths_given || (owner_lists && default_inet) || any_kind;
  bool want_inet = inet_given || default_inet || any_kind;
  request.tcp = request.udp = request.udplite = want_inet;
  if (want_inet && inet_given && !any_kind) {
    // Ask only for what some -i can match.
    request.tcp = request.udp = request.udplite = request.ipv4 = request.ipv6 = false;
    bool ports_everywhere = true;
    std::vector<PortRange> ports;
    if (selection.network_given) {
      request.tcp = request.udp = request.udplite = request.ipv6 = true;
      request.ipv4 = selection.network_family != AF_INET6;
      // With -a the address specs narrow the network selection; without, it adds every port.
      if (!selection.and_mode || selection.inet.empty()) ports_everywhere = false;
    }
    for (const InetSpec& spec : selection.inet) {
      if (!spec.protocol || *spec.protocol == Protocol::kTcp) request.tcp = true;
      if (!spec.protocol || *spec.protocol == Protocol::kUdp) request.udp = true;
      if (!spec.protocol || *spec.protocol == Protocol::kUdpLite) request.udplite = true;
      if (spec.family != AF_INET6) request.ipv4 = true;
      // An IPv4 spec also matches IPv6 sockets whose address is v4-mapped.
      request.ipv6 = true;
      if (spec.ports.empty() && !spec.impossible_port) ports_everywhere = false;
      ports.insert(ports.end(), spec.ports.begin(), spec.ports.end());
    }
    if (ports_everywhere) request.ports = ports;
  }
  if (selection.tcp_include != 0) request.states = selection.tcp_include;
  request.states &= ~selection.tcp_exclude;
  return request;
}

bool socket_matches(const Selection& selection, const SocketRecord& record) {
  if (!state_allowed(selection, record)) return false;
  bool kind_given = false;
  bool kind = kind_matches(selection, record, kind_given);
  bool owner_lists = owner_lists_given(selection);
  if (selection.and_mode) return kind_given ? kind : (owner_lists || record.protocol != Protocol::kUnix);
  if (kind || owner_lists) return true;
  return !kind_given && record.protocol != Protocol::kUnix;
}

bool row_matches(const Selection& selection, const SocketRecord& record, const Owner* owner) {
  if (!state_allowed(selection, record) || owner_excluded(selection, owner)) return false;
  bool kind_given = false;
  bool kind = kind_matches(selection, record, kind_given);
  bool owner_lists = owner_lists_given(selection);
  if (selection.and_mode) {
    if (kind_given && !kind) return false;
    if (!kind_given && !owner_lists && record.protocol == Protocol::kUnix) return false;
    return owner_included_in_all(selection, owner);
  }
  if (kind || owner_included(selection, owner)) return true;
  return !kind_given && !owner_lists && record.protocol != Protocol::kUnix;
}

namespace {

// Per -c command included: whether some process was given to it (see every_command_credited).
std::vector<bool> command_credits(const Selection& selection, const std::vector<Owner>& processes) {
  const std::vector<CommandPattern>& commands = selection.commands.include;
  std::vector<size_t> order;  // indexes into commands, in the order lsof tries them
  for (size_t i = commands.size(); i-- > 0;) {
    if (!commands[i].is_regex()) order.push_back(i);
  }
  for (size_t i = 0; i < commands.size(); ++i) {
    if (commands[i].is_regex()) order.push_back(i);
  }
  std::vector<bool> credited(commands.size());
  for (const Owner& process : processes) {
    if (owner_excluded(selection, &process)) continue;
    if (selection.and_mode && !process_in_every_id_list(selection, process)) continue;
    auto first = std::find_if(order.begin(), order.end(), [&](size_t i) { return commands[i].matches(process.command); });
    if (first != order.end()) credited[*first] = true;
  }
  return credited;
}

}  // namespace

bool every_command_credited(const Selection& selection, const std::vector<Owner>& processes) {
  std::vector<bool> credited = command_credits(selection, processes);
  return std::all_of(credited.begin(), credited.end(), [](bool c) { return c; });
}

bool counts_for_internet_items(const Selection& selection, const SocketRecord& record, const Owner& owner) {
  if (record.protocol == Protocol::kUnix || !state_allowed(selection, record) || owner_excluded(selection, &owner)) return false;
  if (!selection.and_mode) return true;
  const auto& commands = selection.commands.include;
  return process_in_every_id_list(selection, owner) &&
         (commands.empty() || std::any_of(commands.begin(), commands.end(), [&](const CommandPattern& c) { return c.matches(owner.command); }));
}

std::vector<std::string> items_not_found(const Selection& selection, const SocketRows& rows, const SocketRows& counted,
                                         const std::vector<Owner>& processes, bool (*pid_exists)(pid_t)) {
  std::vector<std::string> missing;
  auto listed = [&](auto&& predicate) {
    return std::any_of(rows.begin(), rows.end(), [&](const auto& row) { return predicate(*row.first); });
  };
  // Commands: lsof's list of prefixes, last given first (an exclusion always counts as not
  // found), then its patterns in the order given.
  const std::vector<CommandPattern>& commands = selection.commands.include;
  std::vector<bool> credited = command_credits(selection, processes);
  for (size_t i = commands.size(); i-- > 0;) {
    if (!commands[i].is_regex() && !credited[i]) missing.push_back("command not located: " + commands[i].text());
  }
  for (size_t i = selection.commands.exclude.size(); i-- > 0;) {
    missing.push_back("command not located: " + selection.commands.exclude[i].text());
  }
  for (size_t i = 0; i < commands.size(); ++i) {
    if (!commands[i].is_regex() || credited[i]) continue;
    const std::string& text = commands[i].text();
    missing.push_back("no command found for regex: " + text.substr(1, text.rfind('/') - 1));
  }
  for (size_t i = selection.unix_paths.size(); i-- > 0;) {
    const std::string& path = selection.unix_paths[i];
    if (!listed([&](const SocketRecord& r) { return r.protocol == Protocol::kUnix && r.unix_path == path; })) {
      missing.push_back("no file use located: " + path);
    }
  }
  // A listed or counted socket counts for the last -i spec given that matches it; specs
  // written alike count together.
  const std::vector<InetSpec>& specs = selection.inet;
  std::vector<bool> found(specs.size());
  for (const SocketRows* sockets : {&rows, &counted}) {
    for (const auto& row : *sockets) {
      for (size_t i = specs.size(); i-- > 0;) {
        if (spec_matches(specs[i], *row.first)) {
          found[i] = true;
          break;
        }
      }
    }
  }
  for (size_t i = specs.size(); i-- > 0;) {
    bool alike_found = false;
    bool named_already = false;  // a spec written twice is one item, named once
    for (size_t j = 0; j < specs.size(); ++j) {
      alike_found = alike_found || (found[j] && specs[j].text == specs[i].text);
      named_already = named_already || (j > i && specs[j].text == specs[i].text);
    }
    if (!alike_found && !named_already) missing.push_back("Internet address not located: " + specs[i].text);
  }
  auto of_network_family = [&](const auto& row) {
    const SocketRecord& r = *row.first;
    return r.protocol != Protocol::kUnix && (selection.network_family == AF_UNSPEC || selection.network_family == r.family);
  };
  if (selection.network_given && std::none_of(rows.begin(), rows.end(), of_network_family) &&
      std::none_of(counted.begin(), counted.end(), of_network_family)) {
    missing.push_back("no Internet files located");
  }
  // Each TCP state asked for (-s TCP:STATE) must be the state of some listed or counted socket.
  for (uint8_t state = 0; state < kTcpStateNames.size(); ++state) {
    if (!(selection.tcp_include & (1u << state))) continue;
    auto in_state = [&](const auto& row) { return row.first->protocol != Protocol::kUnix && row.first->state == state; };
    if (std::none_of(rows.begin(), rows.end(), in_state) && std::none_of(counted.begin(), counted.end(), in_state)) {
      missing.push_back("TCP state not located: " + tcp_state_name(state));
    }
  }
  for (pid_t pid : selection.pids.include) {
    if (!pid_exists(pid)) missing.push_back(fmt::format("process ID not located: {}", pid));
  }
  for (pid_t group : selection.process_groups.include) {
    if (std::none_of(processes.begin(), processes.end(), [&](const Owner& p) { return p.process_group == group; })) {
      missing.push_back(fmt::format("process group ID not located: {}", group));
    }
  }
  return missing;
}

}  // namespace sockscope::sockets
