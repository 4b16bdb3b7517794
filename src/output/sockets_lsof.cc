#include "output/sockets_lsof.h"

#include <netdb.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/services.h"
#include "output/lsof_safe_text.h"
#include "output/text_cursor.h"
#include "output/user_names.h"
#include "sockets/selection.h"

namespace sockscope::output {
namespace {

using sockets::Protocol;
using sockets::SocketRecord;

// Columns never narrower than their titles; COMMAND shows at most style.command_width
// characters (+c); the FD cell is always four wide plus mode and lock letters, because lsof
// writes descriptors from 10000 up as "*" and the last three digits.
constexpr size_t kFdWidth = 4;
constexpr size_t kNumericUserWidth = 8;

std::string fd_text(int fd) { return fd < 10000 ? std::to_string(fd) : fmt::format("*{:03}", fd % 1000); }

std::string user_text(uid_t uid, bool numeric) {
  std::optional<std::string> name = numeric ? std::nullopt : login_name(uid);
  return name ? *name : fmt::format("{:>{}}", uid, kNumericUserWidth);
}

void append_host(TextCursor& out, const IpAddress& address, bool numeric) {
  if (address.is_unspecified()) {
    out.put('*');
    return;
  }
  IpAddress shown = address.family == AF_INET6 && address.is_v4_mapped() ? address.unmapped() : address;
  if (!numeric) {
    static std::map<IpAddress, std::string> names;
    auto known = names.find(shown);
    if (known == names.end()) {
      Endpoint endpoint{shown, 0};
      SockAddr socket_address = endpoint.to_sockaddr();
      char name[NI_MAXHOST];
      std::string found;
      if (getnameinfo(socket_address.get(), socket_address.length, name, sizeof name, nullptr, 0, NI_NAMEREQD) == 0) {
        found = name;
      }
      known = names.emplace(shown, found).first;
    }
    if (!known->second.empty()) {
      out.put(known->second);
      return;
    }
  }
  if (shown.family == AF_INET6) out.put('[');
  out.address(shown);
  if (shown.family == AF_INET6) out.put(']');
}

void append_port(TextCursor& out, uint16_t port, Protocol protocol, bool numeric) {
  if (port == 0) {
    out.put('*');
    return;
  }
  if (!numeric) {  // (/etc/services names no UDP-Lite port: lsof shows those numbers)
    std::optional<std::string_view> name = listed_service_name(port, protocol_name(protocol));
    if (name) {
      out.put(*name);
      return;
    }
  }
  out.decimal(port);
}

std::string_view unix_type_name(int type) {
  switch (type) {
    case SOCK_STREAM: return "STREAM";
    case SOCK_DGRAM: return "DGRAM";
    case SOCK_SEQPACKET: return "SEQPACKET";
    default: return "UNKNOWN";
  }
}

std::string_view type_text(const SocketRecord& record) {
  if (record.protocol == Protocol::kUnix) return "unix";
  return record.family == AF_INET6 ? "IPv6" : "IPv4";
}

// DEVICE: the kernel address as 0x and 16 hex digits for UNIX sockets, the inode otherwise.
constexpr size_t kUnixDeviceWidth = 18;
std::string device_text(const SocketRecord& record) {
  if (record.protocol == Protocol::kUnix) return fmt::format("0x{:016x}", record.kernel_address);
  return fmt::format_int(record.inode).str();
}

std::string_view node_text(const SocketRecord& record) {
  switch (record.protocol) {
    case Protocol::kTcp: return "TCP";
    case Protocol::kUdp: return "UDP";
    case Protocol::kUdpLite: return "UDPLITE";
    case Protocol::kUnix: return "";
  }
  return "";
}

// "/run/x.sock type=STREAM", or "type=STREAM" for an unnamed socket. An abstract name's NUL
// bytes show as '@', as /proc/net/unix (where lsof reads names) shows them; the name's other
// unprintable bytes as lsof escapes them.
void append_unix_name(TextCursor& out, const SocketRecord& record) {
  if (!record.unix_path.empty()) {
    std::string name = record.unix_path;
    if (name.front() == '@') std::replace(name.begin(), name.end(), '\0', '@');
    out.put(safe_text(name));
    out.put(' ');
  }
  out.put("type=");
  out.put(unix_type_name(record.type));
}

// The last uid's USER cell: rows come sorted by process, so one uid usually runs for many.
class UserCells {
 public:
  explicit UserCells(bool numeric) : numeric_(numeric) {}
  const std::string& text(uid_t uid) {
    if (!known_ || uid != uid_) {
      text_ = user_text(uid, numeric_);
      uid_ = uid;
      known_ = true;
    }
    return text_;
  }

 private:
  bool numeric_;
  bool known_ = false;
  uid_t uid_ = 0;
  std::string text_;
};

size_t decimal_width(uint64_t value) { return fmt::format_int(value).size(); }

// The send queue as lsof shows it: lsof reads the queues from /proc/net/tcp, where a
// listener's send queue is 0 (sock_diag reports its backlog limit there).
uint64_t lsof_send_queue(const SocketRecord& record) {
  bool listener = record.protocol == Protocol::kTcp && record.state == TCP_LISTEN;
  return listener ? 0 : record.send_queue;
}

// Each column's width: the widest cell or the title, whichever is wider.
struct Widths {
  size_t command = 7, pid = 3, parent = 4, group = 4, user = 4, type = 4, device = 6, node = 4;
};

// lsof's order: by pid, then descriptor (sorts are stable: rows with equal keys keep their order).
bool before(const LsofRow& a, const LsofRow& b) {
  return a.owner->pid != b.owner->pid ? a.owner->pid < b.owner->pid : a.owner->fd < b.owner->fd;
}

// Records and owners lie wherever the dump and the join left them: a row waited on at a time
// spent more than half of the writing in cache misses. What a row reads, fetched ahead of it:
// its owner, and its record up to the inode: under 128 bytes, which can touch three 64-byte
// lines (records lie at any offset from one), hence its first, middle and last bytes.
void prefetch_row(const LsofRow& row) {
  __builtin_prefetch(row.owner);
  const char* first = reinterpret_cast<const char*>(row.record);
  const char* last = reinterpret_cast<const char*>(&row.record->inode + 1) - 1;
  __builtin_prefetch(first);
  __builtin_prefetch(first + (last - first) / 2);
  __builtin_prefetch(last);
}

// The COMMAND column escapes spaces too.
constexpr SafeTextStyle kCommandColumn{.escape_space = true, .keep_multibyte = false};

size_t command_width(const std::string& command) {
  return is_plain_text(command, kCommandColumn) ? command.size() : safe_width(command, kCommandColumn);
}

// fd_text() without building a string.
void append_fd_cell(TextCursor& line, int fd) {
  if (fd >= 10000) return line.padded(fd_text(fd), kFdWidth, true);
  line.padded_decimal(static_cast<uint64_t>(fd), kFdWidth);
}

}  // namespace

std::vector<LsofRow> select_lsof_rows(const std::vector<SocketRecord>& records, const sockets::Selection& selection,
                                      const std::vector<uint32_t>* order) {
  // Records taken in lsof's order (see OwnerJoin) give their first owners' rows in order; a
  // socket that several descriptors hold adds rows that belong elsewhere. Those few are
  // sorted and merged in, where sorting every row cost more than the rest of the selection.
  std::vector<LsofRow> rows;
  std::vector<LsofRow> later;
  size_t count = order != nullptr ? order->size() : records.size();
  rows.reserve(count);
  // In that order the records lie anywhere in memory: each is fetched a few rows ahead.
  constexpr size_t kAhead = 8;
  for (size_t i = 0; i < count; ++i) {
    if (order != nullptr && i + kAhead < count) {
      const char* ahead = reinterpret_cast<const char*>(&records[(*order)[i + kAhead]]);
      for (size_t line = 0; line < sizeof(SocketRecord); line += 64) __builtin_prefetch(ahead + line);
    }
    const SocketRecord& record = records[order != nullptr ? (*order)[i] : i];
    for (const sockets::Owner& owner : record.owners) {
      if (!sockets::row_matches(selection, record, &owner)) continue;
      (&owner == &record.owners.front() ? rows : later).push_back({&record, &owner});
    }
  }
  bool first_in_order = std::is_sorted(rows.begin(), rows.end(), before);
  std::stable_sort(later.begin(), later.end(), before);
  size_t first_count = rows.size();
  rows.insert(rows.end(), later.begin(), later.end());
  if (first_in_order) {
    std::inplace_merge(rows.begin(), rows.begin() + static_cast<ptrdiff_t>(first_count), rows.end(), before);
  } else {
    std::stable_sort(rows.begin(), rows.end(), before);
  }
  return rows;
}

void add_other_end_rows(std::vector<LsofRow>& rows, const sockets::SocketEnds& ends) {
  size_t listed = rows.size();
  for (size_t i = 0; i < listed; ++i) {
    const SocketRecord* other = ends.lsof_other_end(*rows[i].record);
    if (other == nullptr) continue;
    for (const sockets::Owner& owner : other->owners) rows.push_back({other, &owner});
  }
  std::stable_sort(rows.begin(), rows.end(), before);
  rows.erase(std::unique(rows.begin(), rows.end(),
                         [](const LsofRow& a, const LsofRow& b) { return a.record == b.record && a.owner == b.owner; }),
             rows.end());
}

namespace {

void append_address_name(TextCursor& out, const SocketRecord& record, const LsofStyle& style) {
  append_host(out, record.local.address, style.numeric_hosts);
  out.put(':');
  append_port(out, record.local.port, record.protocol, style.numeric_ports);
  if (!record.remote.address.is_unspecified() || record.remote.port != 0) {
    out.put("->");
    append_host(out, record.remote.address, style.numeric_hosts);
    out.put(':');
    append_port(out, record.remote.port, record.protocol, style.numeric_ports);
  }
}

// -E: " PID,COMMAND,FDmode" for each holder of the other end of record's connection, the
// highest pid and descriptor first as lsof lists them; for UNIX sockets after "->INO=" and the
// other end's inode, which lsof shows even when no process holds it.
void append_other_end(TextCursor& out, const SocketRecord& record, const LsofStyle& style) {
  if (style.ends == nullptr) return;
  if (uint64_t inode = style.ends->lsof_unix_other_inode(record); inode != 0) {
    out.put(" ->INO=");
    out.decimal(inode);
  }
  const SocketRecord* other = style.ends->lsof_other_end(record);
  if (other == nullptr) return;
  std::vector<const sockets::Owner*> holders;
  for (const sockets::Owner& owner : other->owners) holders.push_back(&owner);
  std::sort(holders.begin(), holders.end(), [](const sockets::Owner* a, const sockets::Owner* b) {
    return a->pid != b->pid ? a->pid > b->pid : a->fd > b->fd;
  });
  for (const sockets::Owner* holder : holders) {
    out.put(' ');
    out.decimal(static_cast<uint64_t>(holder->pid));
    out.put(',');
    out.put(safe_text(std::string_view(holder->command).substr(0, style.end_command_width)));
    out.put(',');
    out.put(fd_text(holder->fd));
    out.put(holder->access);
  }
}

// TCP state names, made once per listing rather than once per row.
class StateNames {
 public:
  const std::string& tcp(uint8_t state) {
    std::string& name = names_[state];
    if (name.empty()) name = sockets::tcp_state_name(state);
    return name;
  }

 private:
  std::array<std::string, 256> names_;
};

}  // namespace

std::string lsof_address_name(const SocketRecord& record, const LsofStyle& style) {
  TextCursor name(64);
  append_address_name(name, record, style);
  return std::string(name.text());
}

void write_lsof(const std::vector<LsofRow>& rows, const LsofStyle& style, const TextSink& write) {
  if (rows.empty()) return;
  // First pass: widths only, from the values, so that no row is held as text.
  Widths widths;
  UserCells users(style.numeric_users);
  constexpr size_t kAhead = 8;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i + kAhead < rows.size()) prefetch_row(rows[i + kAhead]);
    const LsofRow& row = rows[i];
    const SocketRecord& record = *row.record;
    bool is_unix = record.protocol == Protocol::kUnix;
    widths.command = std::max(widths.command, std::min(command_width(row.owner->command), style.command_width));
    widths.pid = std::max(widths.pid, decimal_width(static_cast<uint64_t>(row.owner->pid)));
    if (style.parent_column) {
      widths.parent = std::max(widths.parent, decimal_width(static_cast<uint64_t>(row.owner->parent)));
    }
    if (style.group_column) {
      widths.group = std::max(widths.group, decimal_width(static_cast<uint64_t>(row.owner->process_group)));
    }
    widths.user = std::max(widths.user, users.text(row.owner->uid).size());
    // As device_text() would print it, without building the text.
    widths.device = std::max(widths.device, is_unix ? kUnixDeviceWidth : decimal_width(record.inode));
    widths.node = std::max(widths.node, is_unix ? decimal_width(record.inode) : node_text(record).size());
  }
  std::string_view size_header = style.size_only ? "SIZE" : style.offset_only ? "OFFSET" : "SIZE/OFF";
  std::string_view size_cell = style.size_only ? "" : "0t0";
  std::string ids_header;  // -R and -g columns, in lsof's order
  if (style.parent_column) ids_header += fmt::format(" {:>{}}", "PPID", widths.parent);
  if (style.group_column) ids_header += fmt::format(" {:>{}}", "PGID", widths.group);
  write(fmt::format("{:<{}} {:>{}}{} {:>{}} {:>{}}   {:>{}} {:>{}} {} {:>{}} NAME\n", "COMMAND", widths.command,
                    "PID", widths.pid, ids_header, "USER", widths.user, "FD", kFdWidth, "TYPE", widths.type, "DEVICE",
                    widths.device, size_header, "NODE", widths.node));
  TextCursor out(kTextPiece + 4096);
  StateNames states;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i + kAhead < rows.size()) prefetch_row(rows[i + kAhead]);
    const SocketRecord& record = *rows[i].record;
    const sockets::Owner& owner = *rows[i].owner;
    bool is_unix = record.protocol == Protocol::kUnix;
    // lsof writes as much of the name as the column holds.
    if (is_plain_text(owner.command, kCommandColumn)) {
      out.padded(std::string_view(owner.command).substr(0, widths.command), widths.command, false);
    } else {
      out.padded(safe_text(owner.command, kCommandColumn, widths.command), widths.command, false);
    }
    out.put(' ');
    out.padded_decimal(static_cast<uint64_t>(owner.pid), widths.pid);
    if (style.parent_column) {
      out.put(' ');
      out.padded_decimal(static_cast<uint64_t>(owner.parent), widths.parent);
    }
    if (style.group_column) {
      out.put(' ');
      out.padded_decimal(static_cast<uint64_t>(owner.process_group), widths.group);
    }
    out.put(' ');
    out.padded(users.text(owner.uid), widths.user, true);
    out.put(' ');
    append_fd_cell(out, owner.fd);
    out.put(owner.access);
    out.put("  ");
    out.padded(type_text(record), widths.type, true);
    out.put(' ');
    if (is_unix) {
      out.padded(device_text(record), widths.device, true);
    } else {
      out.padded_decimal(record.inode, widths.device);
    }
    out.put(' ');
    out.padded(size_cell, size_header.size(), true);
    out.put(' ');
    if (is_unix) {
      out.padded_decimal(record.inode, widths.node);
    } else {
      out.padded(node_text(record), widths.node, true);
    }
    out.put(' ');
    if (is_unix) {
      append_unix_name(out, record);
      append_other_end(out, record, style);
      out.put(" (");
      out.put(sockets::unix_state_name(record));
      out.put(')');
    } else {
      append_address_name(out, record, style);
      append_other_end(out, record, style);
      // lsof follows the address with "(STATE QR=n QS=n)" as -T selects (the state alone by
      // default, TCP only), and where that is empty with a lone space, unless -T selected nothing.
      bool state = style.tcp_state && record.protocol == Protocol::kTcp;
      if (state || style.tcp_queues) {
        out.put(" (");
        if (state) out.put(states.tcp(record.state));
        if (style.tcp_queues) {
          if (state) out.put(' ');
          out.put("QR=");
          out.decimal(record.receive_queue);
          out.put(" QS=");
          out.decimal(lsof_send_queue(record));
        }
        out.put(')');
      } else if (style.tcp_info_given) {
        out.put(' ');
      }
    }
    out.put('\n');
    if (out.size() >= kTextPiece) {
      write(out.text());
      out.clear();
    }
  }
  if (out.size() != 0) write(out.text());
}

std::string render_lsof(const std::vector<LsofRow>& rows, const LsofStyle& style) {
  std::string out;
  write_lsof(rows, style, [&](std::string_view text) { out += text; });
  return out;
}

void write_lsof_fields(const std::vector<LsofRow>& rows, const LsofStyle& style, std::string_view fields,
                       bool nul_terminated, const TextSink& write) {
  // lsof's default -F set, in the order lsof writes fields whatever order they were asked in.
  std::string wanted(fields.empty() ? "pgRcuLfaltGdoiPnT" : fields);
  if (wanted.find('p') == std::string::npos) wanted += 'p';  // lsof always writes the process id
  auto has = [&](char letter) { return wanted.find(letter) != std::string::npos; };
  char end = nul_terminated ? '\0' : '\n';
  std::string out;
  auto field = [&](char letter, std::string_view value) {
    out += letter;
    out += value;
    out += end;
  };
  pid_t current = -1;
  TextCursor name(256);
  for (const LsofRow& row : rows) {
    const sockets::Owner& owner = *row.owner;
    const SocketRecord& record = *row.record;
    if (owner.pid != current) {
      current = owner.pid;
      if (has('p')) field('p', std::to_string(owner.pid));
      if (has('g')) field('g', std::to_string(owner.process_group));
      if (has('R')) field('R', std::to_string(owner.parent));
      if (has('c')) field('c', safe_text(owner.command));
      if (has('u')) field('u', std::to_string(owner.uid));
      if (has('L') && !style.numeric_users) {  // -l: lsof leaves the login name out
        if (std::optional<std::string> name = login_name(owner.uid)) field('L', *name);
      }
      if (nul_terminated) out += '\n';
    }
    // With -F0, a descriptor's fields end with a newline, if it has any.
    size_t file_fields_at = out.size();
    if (has('f')) field('f', fd_text(owner.fd));
    if (has('a')) field('a', std::string(1, owner.access));
    if (has('l')) field('l', " ");
    bool is_unix = record.protocol == Protocol::kUnix;
    if (has('t')) field('t', type_text(record));
    if (has('G')) field('G', fmt::format("0x{:x};0x0", owner.file_flags));
    if (has('d')) field('d', device_text(record));
    if (has('o') && !style.size_only) field('o', "0t0");
    if (has('i') && is_unix) field('i', std::to_string(record.inode));
    if (has('P') && !is_unix) field('P', node_text(record));
    if (has('n')) {
      name.clear();
      if (is_unix) {
        append_unix_name(name, record);
      } else {
        append_address_name(name, record, style);
      }
      append_other_end(name, record, style);
      field('n', name.text());
    }
    if (has('T')) {
      if (is_unix) {
        if (style.tcp_state) field('T', fmt::format("ST={}", sockets::unix_state_name(record)));
      } else {
        if (style.tcp_state && record.protocol == Protocol::kTcp) field('T', "ST=" + sockets::tcp_state_name(record.state));
        if (style.tcp_queues) {
          field('T', fmt::format("QR={}", record.receive_queue));
          field('T', fmt::format("QS={}", lsof_send_queue(record)));
        }
      }
    }
    if (nul_terminated && out.size() != file_fields_at) out += '\n';
    write(out);
    out.clear();
  }
}

std::string render_lsof_pids(const std::vector<LsofRow>& rows) {
  std::set<pid_t> pids;
  for (const LsofRow& row : rows) pids.insert(row.owner->pid);
  std::string out;
  for (pid_t pid : pids) out += std::to_string(pid) + "\n";
  return out;
}

}  // namespace sockscope::output
