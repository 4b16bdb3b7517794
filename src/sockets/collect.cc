#include "sockets/collect.h"

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <future>
#include <iterator>
#include <mutex>
#include <optional>
#include <span>
#include <vector>
#include <tuple>
#include <utility>

#include "netlink/attributes.h"
#include "procfs/net_tables.h"
#include "procfs/sockstat.h"
#include "sockets/diag_filter.h"
#include "sys/huge_pages.h"

namespace sockscope::sockets {
namespace {

// A request's headers and its small attributes; the filter bytecode comes on top.
constexpr size_t kHeaderRoom = 256;

Endpoint endpoint_from(int family, const __be32 address[4], __be16 port, uint32_t interface) {
  Endpoint endpoint;
  if (family == AF_INET) {
    in_addr v4;
    std::memcpy(&v4, address, sizeof v4);
    endpoint.address = IpAddress::from_in(v4);
  } else {
    in6_addr v6;
    std::memcpy(&v6, address, sizeof v6);
    endpoint.address = IpAddress::from_in6(v6);
    // A link-local address means nothing without its interface: the kernel keeps it as the
    // socket's bound device, which is where lsof loses it and we do not.
    if (endpoint.address.needs_scope()) endpoint.address.scope_id = interface;
  }
  endpoint.port = ntohs(port);
  return endpoint;
}

SocketRecord parse_inet(const nlmsghdr& message, Protocol protocol) {
  const inet_diag_msg* info = static_cast<const inet_diag_msg*>(mnl_nlmsg_get_payload(&message));
  SocketRecord record;
  record.protocol = protocol;
  record.family = info->idiag_family;
  record.state = info->idiag_state;
  record.bound_device = info->id.idiag_if;
  record.local = endpoint_from(info->idiag_family, info->id.idiag_src, info->id.idiag_sport, info->id.idiag_if);
  record.remote = endpoint_from(info->idiag_family, info->id.idiag_dst, info->id.idiag_dport, info->id.idiag_if);
  record.uid = info->idiag_uid;
  record.inode = info->idiag_inode;
  std::memcpy(&record.cookie, info->id.idiag_cookie, sizeof record.cookie);
  record.receive_queue = info->idiag_rqueue;
  record.send_queue = info->idiag_wqueue;
  // The one attribute read is IPv6's; an IPv4 socket's are not walked (five per socket).
  if (info->idiag_family != AF_INET6) return record;
  netlink::for_each_attribute(message, sizeof *info, [&](const nlattr* attribute) {
    uint16_t type = mnl_attr_get_type(attribute);
    if (type == INET_DIAG_SKV6ONLY && mnl_attr_get_payload_len(attribute) >= 1) {
      record.v6only = mnl_attr_get_u8(attribute) != 0;
      record.v6only_known = true;
    }
  });
  return record;
}

SocketRecord parse_unix(const nlmsghdr& message) {
  const unix_diag_msg* info = static_cast<const unix_diag_msg*>(mnl_nlmsg_get_payload(&message));
  SocketRecord record;
  record.protocol = Protocol::kUnix;
  record.family = AF_UNIX;
  record.type = info->udiag_type;
  record.state = info->udiag_state;
  record.inode = info->udiag_ino;
  std::memcpy(&record.cookie, info->udiag_cookie, sizeof record.cookie);
  netlink::for_each_attribute(message, sizeof *info, [&](const nlattr* attribute) {
    uint16_t length = mnl_attr_get_payload_len(attribute);
    const char* payload = static_cast<const char*>(mnl_attr_get_payload(attribute));
    switch (mnl_attr_get_type(attribute)) {
      case UNIX_DIAG_NAME:
        // Abstract names start with a NUL byte; they print as "@name".
        if (length > 0 && payload[0] == '\0') {
          record.unix_path = "@" + std::string(payload + 1, length - 1);
        } else {
          record.unix_path.assign(payload, strnlen(payload, length));
        }
        break;
      case UNIX_DIAG_PEER:
        if (length >= 4) record.unix_peer_inode = mnl_attr_get_u32(attribute);
        break;
      case UNIX_DIAG_ICONS:
        // The inodes of the clients of the connections waiting in a listener's queue.
        if (length >= 4) record.unix_waiting_client_inode = mnl_attr_get_u32(attribute);
        break;
      case UNIX_DIAG_RQLEN:
        if (length >= sizeof(unix_diag_rqlen)) {
          unix_diag_rqlen queues;
          std::memcpy(&queues, payload, sizeof queues);
          record.receive_queue = queues.udiag_rqueue;
          record.send_queue = queues.udiag_wqueue;
        }
        break;
      case UNIX_DIAG_UID:
        if (length >= 4) record.uid = mnl_attr_get_u32(attribute);
        break;
      default: break;
    }
  });
  return record;
}

// Room for `count` records, in huge pages where the kernel has them: the records of a large
// listing are its largest piece of memory, and faulting it in 4 KiB at a time cost the dump
// thread several milliseconds.
void reserve_records(std::vector<SocketRecord>& records, size_t count) {
  records.reserve(count);
  sys::prefer_huge_pages(records.data(), records.capacity() * sizeof(SocketRecord));
}

// The records of a dump that runs on its own thread, shared with the calling thread as they
// come. The vector is reserved before the dump starts and never grows while shared (records
// beyond its room wait in overflow until the dump is over), so the caller can read and
// change the published ones in place.
class Shelf {
 public:
  explicit Shelf(size_t room) {
    reserve_records(records_, room);
    base_ = records_.data();
  }

  // On the dump's thread.
  void add(SocketRecord&& record) {
    if (records_.size() == records_.capacity()) {
      overflow_.push_back(std::move(record));
      return;
    }
    records_.push_back(std::move(record));
    // Each hand-over wakes the other thread: a few thousand records at a time.
    constexpr size_t kBatch = 2048;
    if (records_.size() - announced_ >= kBatch) publish(false);
  }
  void finish() { publish(true); }

  // On the calling thread: hands every published run of records to so_far until the dump is over.
  void follow(const RecordsSoFar& so_far) {
    size_t seen = 0;
    while (true) {
      size_t now = 0;
      bool over = false;
      {
        std::unique_lock<std::mutex> hold(lock_);
        changed_.wait(hold, [&] { return done_ || published_ > seen; });
        now = published_;
        over = done_;
      }
      if (now > seen) so_far(std::span<SocketRecord>(base_, now));
      seen = now;
      if (over) return;
    }
  }

  // Once the dump's thread is gone: every record, in dump order.
  std::vector<SocketRecord> take() {
    std::move(overflow_.begin(), overflow_.end(), std::back_inserter(records_));
    return std::move(records_);
  }

 private:
  void publish(bool last) {
    announced_ = records_.size();
    {
      std::lock_guard<std::mutex> hold(lock_);
      published_ = records_.size();
      done_ = done_ || last;
    }
    changed_.notify_one();
  }

  std::vector<SocketRecord> records_;
  std::vector<SocketRecord> overflow_;
  SocketRecord* base_ = nullptr;
  size_t announced_ = 0;  // the dump thread's copy of published_
  std::mutex lock_;
  std::condition_variable changed_;
  size_t published_ = 0;  // guarded by lock_
  bool done_ = false;     // guarded by lock_
};

// Where a dump's records go: a vector, or a shelf.
class RecordSink {
 public:
  explicit RecordSink(std::vector<SocketRecord>& out) : out_(&out) {}
  explicit RecordSink(Shelf& shelf) : shelf_(&shelf) {}
  void add(SocketRecord&& record) {
    if (shelf_ != nullptr) {
      shelf_->add(std::move(record));
    } else {
      out_->push_back(std::move(record));
    }
  }

 private:
  std::vector<SocketRecord>* out_ = nullptr;
  Shelf* shelf_ = nullptr;
};

Result<void> dump_inet(netlink::Channel& channel, int family, Protocol protocol, uint32_t states,
                       const std::vector<uint8_t>& filter, RecordSink& out) {
  // Room for the headers and the filter, which grows with the number of ports selected.
  std::vector<uint64_t> storage((kHeaderRoom + filter.size()) / sizeof(uint64_t) + 1);
  nlmsghdr* request = mnl_nlmsg_put_header(storage.data());
  if (family == AF_UNSPEC) {
    // The original TCP request: its dumps cover IPv4 and IPv6 in one walk of the tables.
    request->nlmsg_type = TCPDIAG_GETSOCK;
    auto* diag = static_cast<inet_diag_req*>(mnl_nlmsg_put_extra_header(request, sizeof(inet_diag_req)));
    diag->idiag_states = states;
  } else {
    request->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    auto* diag = static_cast<inet_diag_req_v2*>(mnl_nlmsg_put_extra_header(request, sizeof(inet_diag_req_v2)));
    diag->sdiag_family = static_cast<uint8_t>(family);
    diag->sdiag_protocol = protocol == Protocol::kTcp ? IPPROTO_TCP : protocol == Protocol::kUdp ? IPPROTO_UDP : IPPROTO_UDPLITE;
    diag->idiag_states = states;
  }
  if (!filter.empty()) mnl_attr_put(request, INET_DIAG_REQ_BYTECODE, filter.size(), filter.data());
  return channel.dump(*request, [&](const nlmsghdr& message) -> Result<void> {
    if (message.nlmsg_type == request->nlmsg_type) out.add(parse_inet(message, protocol));
    return {};
  });
}

Result<void> dump_unix(netlink::Channel& channel, RecordSink& out) {
  std::vector<uint64_t> storage(kHeaderRoom / sizeof(uint64_t));
  nlmsghdr* request = mnl_nlmsg_put_header(storage.data());
  request->nlmsg_type = SOCK_DIAG_BY_FAMILY;
  auto* diag = static_cast<unix_diag_req*>(mnl_nlmsg_put_extra_header(request, sizeof(unix_diag_req)));
  diag->sdiag_family = AF_UNIX;
  diag->udiag_states = ~0u;
  diag->udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID | UDIAG_SHOW_ICONS;
  return channel.dump(*request, [&](const nlmsghdr& message) -> Result<void> {
    if (message.nlmsg_type == SOCK_DIAG_BY_FAMILY) out.add(parse_unix(message));
    return {};
  });
}

// One sock_diag dump: an (address family, protocol) pair of inet_diag (AF_UNSPEC: TCP over
// both families), or unix_diag.
struct Dump {
  int family;
  Protocol protocol;
};

Result<void> run_dumps(netlink::Channel& channel, const std::vector<Dump>& dumps, uint32_t states,
                       const std::vector<uint8_t>& filter, RecordSink out) {
  for (const Dump& dump : dumps) {
    Result<void> done = dump.protocol == Protocol::kUnix ? dump_unix(channel, out)
                                                         : dump_inet(channel, dump.family, dump.protocol, states, filter, out);
    if (!done) return done;
  }
  return {};
}

}  // namespace

Result<std::vector<SocketRecord>> collect_sockets(netlink::Channel& channel, const CollectRequest& request,
                                                  const RecordsSoFar& so_far) {
  std::vector<uint8_t> filter = compile_port_filter(request.ports);
  std::vector<Dump> dumps;
  // Every dump walks the kernel's whole table for its protocol, whatever it sends back, and
  // IPv4 and IPv6 TCP sockets share one table: TCP over both families is one dump of the
  // original TCP request, which covers both in one walk. Recorded and replayed conversations,
  // and callers that need each family's sockets in the kernel's order apart, keep one dump
  // per family.
  bool tcp_in_one = request.tcp && request.ipv4 && request.ipv6 && !request.by_family && channel.live();
  if (tcp_in_one) dumps.push_back({AF_UNSPEC, Protocol::kTcp});
  for (auto [wanted, protocol] : {std::pair{request.tcp, Protocol::kTcp}, std::pair{request.udp, Protocol::kUdp},
                                  std::pair{request.udplite, Protocol::kUdpLite}}) {
    if (!wanted || (protocol == Protocol::kTcp && tcp_in_one)) continue;
    if (request.ipv4) dumps.push_back({AF_INET, protocol});
    if (request.ipv6) dumps.push_back({AF_INET6, protocol});
  }
  if (request.unix_domain) dumps.push_back({AF_UNIX, Protocol::kUnix});

  // Unfiltered dumps return about what sockstat counts: room for all of them at once keeps
  // the vector from doubling (its old and new copies would be the listing's peak memory).
  size_t expected = 0;
  bool time_wait = (request.states & (1u << TCP_TIME_WAIT)) != 0;
  if (request.ports.empty() && (request.states | (1u << TCP_TIME_WAIT) | (1u << kTcpBoundInactive)) == ~0u) {
    procfs::SocketCounts counts = procfs::read_socket_counts();
    if (request.tcp) {
      expected += (request.ipv4 ? counts.tcp4 : 0) + (request.ipv6 ? counts.tcp6 : 0) + (time_wait ? counts.time_wait : 0);
    }
    if (request.udp) expected += (request.ipv4 ? counts.udp4 : 0) + (request.ipv6 ? counts.udp6 : 0);
  }

  std::vector<SocketRecord> records;
  // The first dump (usually the largest: TCP) runs on a second channel and thread while this
  // one does the rest and then hands its records to so_far as they come; its vector, sized
  // for all, then takes the rest.
  std::optional<Shelf> shelf;
  std::future<Result<void>> first;
  if (dumps.size() > 1 && channel.live()) {
    shelf.emplace(expected);
    first = std::async(std::launch::async, [&filter, &request, &shelf, dump = dumps.front()]() -> Result<void> {
      Result<void> done = [&]() -> Result<void> {
        Result<netlink::Channel> own = netlink::Channel::open(NETLINK_SOCK_DIAG);
        if (!own) return tl::unexpected(own.error());
        return run_dumps(*own, {dump}, request.states, filter, RecordSink(*shelf));
      }();
      shelf->finish();
      return done;
    });
    dumps.erase(dumps.begin());
  } else {
    reserve_records(records, expected);
  }
  std::vector<SocketRecord> rest;
  Result<void> done = run_dumps(channel, dumps, request.states, filter, RecordSink(first.valid() ? rest : records));
  if (first.valid()) {
    if (so_far) shelf->follow(so_far);
    Result<void> ahead = first.get();
    if (!ahead) return tl::unexpected(ahead.error());
    records = shelf->take();
    records.reserve(records.size() + rest.size());
    std::move(rest.begin(), rest.end(), std::back_inserter(records));
  }
  if (!done) return tl::unexpected(done.error());
  return records;
}

std::vector<SocketRecord> collect_sockets_from_proc(const CollectRequest& request, const std::string& root) {
  std::vector<SocketRecord> records;
  for (auto [on, protocol, name] : {std::tuple{request.tcp, Protocol::kTcp, "tcp"}, std::tuple{request.udp, Protocol::kUdp, "udp"},
                                    std::tuple{request.udplite, Protocol::kUdpLite, "udplite"}}) {
    if (!on) continue;
    for (auto [family_on, suffix] : {std::pair{request.ipv4, ""}, std::pair{request.ipv6, "6"}}) {
      if (!family_on) continue;
      for (const procfs::NetTableEntry& entry : procfs::read_net_table(root, std::string(name) + suffix)) {
        if (!(request.states & (1u << entry.state))) continue;
        bool port_wanted = request.ports.empty() || std::any_of(request.ports.begin(), request.ports.end(), [&](const PortRange& r) {
                             return r.contains(entry.local.port) || r.contains(entry.remote.port);
                           });
        if (!port_wanted) continue;
        SocketRecord record;
        record.protocol = protocol;
        record.family = entry.family;
        record.state = entry.state;
        record.local = entry.local;
        record.remote = entry.remote;
        record.uid = entry.uid;
        record.inode = entry.inode;
        record.receive_queue = entry.receive_queue;
        record.send_queue = entry.send_queue;
        records.push_back(std::move(record));
      }
    }
  }
  return records;
}

}  // namespace sockscope::sockets
