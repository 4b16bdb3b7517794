// lsof's selection grammar for sockets: -i specs (ORed), -s protocol states, -p, -u, -c, -U,
// and -a to AND the kinds of selection instead of ORing them. Parsed into a Selection that
// says which dumps to run (to_collect_request) and which records and owners to keep.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/endpoint.h"
#include "core/error.h"
#include "core/port_list.h"
#include "sockets/collect.h"
#include "sockets/command_pattern.h"
#include "sockets/socket_record.h"

namespace sockscope::sockets {

// One -i argument: [46][protocol][@host][:ports].
struct InetSpec {
  std::string text;  // as written after -i
  int family = AF_UNSPEC;
  std::optional<Protocol> protocol;
  std::vector<IpAddress> hosts;       // every address the host names; empty: any
  std::vector<PortRange> ports;       // empty: any
  bool impossible_port = false;       // a port beyond 65535: lsof accepts it and matches nothing
};

// A -p, -u or -c list: items to include, and items to exclude (written with ^).
template <class T>
struct IncludeExclude {
  std::vector<T> include;
  std::vector<T> exclude;
};

// -d: descriptors by number or range; names (cwd, txt, ...) are never a socket's, and "fd"
// stands for every number. A list either includes or excludes.
struct FdList {
  struct Range {
    int low, high;
  };
  bool given = false;
  std::vector<Range> include, exclude;
  bool include_numbers = false, exclude_numbers = false;  // "fd", "^fd"
  bool include_names = false;
  bool matches(int fd) const;
};

struct Selection {
  // lsof keeps two kinds of -i apart: a bare -i, -i4 or -i6 selects internet sockets (of
  // that family), and is network_given; any other -i is an address spec in inet.
  bool network_given = false;
  int network_family = AF_UNSPEC;
  std::vector<InetSpec> inet;
  bool unix_given = false;                 // -U
  // File operands: UNIX sockets bound to exactly these paths, compared as written (lsof's
  // way). paths_given stays set when every operand named a file that does not exist.
  std::vector<std::string> unix_paths;
  bool paths_given = false;
  bool and_mode = false;                   // -a
  uint32_t tcp_include = 0, tcp_exclude = 0;  // -s TCP:..., bit (1 << TCP_*)
  IncludeExclude<pid_t> pids;              // -p
  IncludeExclude<pid_t> process_groups;    // -g with IDs (owners' process_group must be read)
  IncludeExclude<uid_t> users;             // -u
  IncludeExclude<CommandPattern> commands;  // -c: prefix or /regex/
  FdList fds;                              // -d
};

// "-i" argument text (without "-i"); host names are resolved (lsof does so even with -n);
// errors are lsof's words: "unknown protocol name (foo)". A spec without a family of its own
// takes default_family: the -i4 or -i6 given before it, as lsof reads them in order.
Result<InetSpec> parse_inet_spec(std::string_view text, int default_family = AF_UNSPEC);
// A bare -i ("") or a family alone ("4", "6") added to selection, in lsof's way: a family
// narrows the network selection, the other family (or a bare -i) widens it again.
void add_network_selection(std::string_view text, Selection& selection);
bool is_network_selection(std::string_view text);
// "-s" argument "TCP:LISTEN,^ESTABLISHED" added to selection.
Result<void> parse_state_spec(std::string_view text, Selection& selection);
Result<void> parse_pid_list(std::string_view text, IncludeExclude<pid_t>& pids);
Result<void> parse_process_group_list(std::string_view text, IncludeExclude<pid_t>& groups);
Result<void> parse_user_list(std::string_view text, IncludeExclude<uid_t>& users);
Result<void> parse_fd_list(std::string_view text, FdList& fds);
// Each fails, in lsof's words, on an item both included and excluded (or a state given twice).
Result<void> parse_command_list(std::string_view text, IncludeExclude<CommandPattern>& commands);

// The TCP state's name as lsof prints it ("LISTEN", "ESTABLISHED", ...).
std::string tcp_state_name(uint8_t state);
// UNIX socket states as lsof prints them ("LISTEN", "CONNECTED", "UNCONNECTED").
std::string unix_state_name(const SocketRecord& record);

// What to ask the kernel for: the smallest set of dumps and the port pre-filter.
CollectRequest to_collect_request(const Selection& selection);

// Whether the socket itself (address, protocol, state) is selected, before owners.
bool socket_matches(const Selection& selection, const SocketRecord& record);
// Whether a (socket, owner) row is selected; owner is null for sockets without one.
bool row_matches(const Selection& selection, const SocketRecord& record, const Owner* owner);

// Whether lsof counts this socket of this process for its -i and -s items (specs and states
// found, and a bare -i's "no Internet files located"), listed or not: an internet socket in a state -s keeps,
// held by a process no ^ excludes that, with -a, passes every -p, -g, -u and -c list. lsof
// counts it before -a's -d list or its other kinds (-U) can drop it.
bool counts_for_internet_items(const Selection& selection, const SocketRecord& record, const Owner& owner);

// lsof's exit status looks at each item asked for, not only at the whole listing; these are
// the items it would call not found, in lsof's words and order (what -V prints): an -i spec
// that matched no socket listed or counted (see counts_for_internet_items), a file operand
// that matched no listed row, a bare -i with no internet socket of its family listed or
// counted, a
// -c command no process of the host was given to (see every_command_credited; processes are
// the host's, read only when -c or -g names something, with their process groups for -g), a
// -p process that does not exist (pid_exists tells), a -g group no process is in, a -s TCP
// state no listed socket is in. A listed socket counts for one
// -i spec only, the last given that matches it (specs written alike count together). An
// excluded command (-c ^name) always counts as not found, as it does in lsof 4.95.
using SocketRows = std::vector<std::pair<const SocketRecord*, const Owner*>>;
std::vector<std::string> items_not_found(const Selection& selection, const SocketRows& rows, const SocketRows& counted,
                                         const std::vector<Owner>& processes, bool (*pid_exists)(pid_t));

// lsof gives each process of the host, listed or not, to the first -c command it matches:
// prefixes first, the last given first, then /patterns/ in the order given (with -a, only
// processes that -p, -g and -u select). Whether every command given got one.
bool every_command_credited(const Selection& selection, const std::vector<Owner>& processes);

}  // namespace sockscope::sockets
