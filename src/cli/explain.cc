// `sockscope explain`: which socket on this host receives a connection or datagram to
// ADDR:PORT, or (--bind) would a bind succeed, with the kernel's reasons. Exit 0 delivered
// or allowed, 1 refused, dropped or denied, 2 bad usage or a runtime error.
#include <charconv>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/explain_host.h"
#include "core/endpoint.h"
#include "core/program_name.h"
#include "explain/check_bind.h"
#include "explain/deliver.h"
#include "output/explain_render.h"

namespace sockscope::cli {
namespace {

struct ExplainOptions {
  bool bind = false;
  bool json = false;
  explain::Protocol protocol = explain::Protocol::kTcp;
  std::string target;                  // ADDR:PORT
  std::optional<std::string> from;     // --from ADDR[:PORT]
  std::optional<std::string> in;       // --in IFACE
  std::optional<std::string> device;   // --device IFACE
  std::optional<uid_t> uid;
  std::optional<bool> v6only;
  bool reuseaddr = false, reuseport = false, freebind = false, transparent = false, listen = false;
};

void complain(const std::string& line) { fmt::print(stderr, "{} explain: {}\n", program_name(), line); }

Result<uid_t> parse_uid(std::string_view text) {
  unsigned long value = 0;
  const char* end = text.data() + text.size();
  std::from_chars_result parsed = std::from_chars(text.data(), end, value);
  if (text.empty() || parsed.ptr != end || parsed.ec != std::errc() || value > 0xfffffffeUL) {
    return fail(fmt::format("invalid uid \"{}\": expected a number", text));
  }
  return static_cast<uid_t>(value);
}

// "ADDR", "ADDR:PORT", "[V6]:PORT" or a bare IPv6 address.
Result<Endpoint> parse_source(std::string_view text) {
  if (Result<IpAddress> bare = parse_ip_address(text, ScopeRule::kOptional)) return Endpoint{*bare, 0};
  return parse_endpoint(text, ScopeRule::kOptional);
}

Result<ExplainOptions> parse_options(int argc, char** argv) {
  ExplainOptions options;
  bool bind_only_option = false;
  std::string bind_only_name;
  auto value_of = [&](int& i, std::string_view name) -> Result<std::string> {
    if (i + 1 >= argc) return fail(fmt::format("{} needs a value", name));
    return std::string(argv[++i]);
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto bind_flag = [&](bool& flag) {
      flag = true;
      bind_only_option = true;
      bind_only_name = arg;
    };
    if (arg == "--bind") {
      options.bind = true;
    } else if (arg == "--json") {
      options.json = true;
    } else if (arg == "--from" || arg == "--in" || arg == "--device" || arg == "--uid") {
      Result<std::string> value = value_of(i, arg);
      if (!value) return tl::unexpected(value.error());
      if (arg == "--from") options.from = *value;
      if (arg == "--in") options.in = *value;
      if (arg == "--device" || arg == "--uid") {
        bind_only_option = true;
        bind_only_name = arg;
      }
      if (arg == "--device") options.device = *value;
      if (arg == "--uid") {
        Result<uid_t> uid = parse_uid(*value);
        if (!uid) return tl::unexpected(uid.error());
        options.uid = *uid;
      }
    } else if (arg == "--reuseaddr") {
      bind_flag(options.reuseaddr);
    } else if (arg == "--reuseport") {
      bind_flag(options.reuseport);
    } else if (arg == "--freebind") {
      bind_flag(options.freebind);
    } else if (arg == "--transparent") {
      bind_flag(options.transparent);
    } else if (arg == "--listen") {
      bind_flag(options.listen);
    } else if (arg == "--v6only" || arg == "--no-v6only") {
      options.v6only = arg == "--v6only";
      bind_only_option = true;
      bind_only_name = arg;
    } else if (arg.starts_with("-") && arg != "-") {
      return fail(fmt::format("unknown option {}; see '{} help explain'", arg, program_name()));
    } else if ((arg == "tcp" || arg == "udp") && options.target.empty()) {
      options.protocol = arg == "tcp" ? explain::Protocol::kTcp : explain::Protocol::kUdp;
    } else if (options.target.empty()) {
      options.target = arg;
    } else {
      return fail(fmt::format("unexpected argument \"{}\"; give one ADDR:PORT", arg));
    }
  }
  if (options.target.empty()) return fail(fmt::format("missing ADDR:PORT; see '{} help explain'", program_name()));
  if (!options.bind && bind_only_option) return fail(fmt::format("{} only makes sense with --bind", bind_only_name));
  if (options.bind && (options.from || options.in)) return fail("--from and --in describe a delivery; they do not go with --bind");
  if (options.listen && options.protocol == explain::Protocol::kUdp) return fail("--listen is for TCP; UDP sockets do not listen");
  return options;
}

// An interface by name or index; an index the host lacks is passed on for the model to judge.
Result<uint32_t> interface_index(const explain::HostState& host, const std::string& text, bool allow_unknown_index) {
  for (const explain::HostInterface& interface : host.interfaces) {
    if (interface.name == text) return interface.index;
  }
  uint32_t index = 0;
  const char* end = text.data() + text.size();
  std::from_chars_result parsed = std::from_chars(text.data(), end, index);
  if (!text.empty() && parsed.ptr == end && parsed.ec == std::errc() && index != 0) {
    for (const explain::HostInterface& interface : host.interfaces) {
      if (interface.index == index) return index;
    }
    if (allow_unknown_index) return index;
  }
  return fail(fmt::format("no interface named \"{}\"", text));
}

int exit_code(explain::Outcome outcome) {
  return outcome == explain::Outcome::kAllowed || outcome == explain::Outcome::kDelivered ? kExitOk : kExitNegative;
}

int run_bind(const ExplainOptions& options, const Endpoint& endpoint) {
  Result<explain::HostState> host = collect_host_state(options.protocol, endpoint.port);
  if (!host) {
    complain(host.error().message());
    return kExitUsage;
  }
  if (endpoint.address.family == AF_INET && options.v6only) {
    complain("--v6only and --no-v6only are for IPv6 addresses");
    return kExitUsage;
  }
  explain::BindRequest request;
  request.protocol = options.protocol;
  request.endpoint = endpoint;
  request.reuseaddr = options.reuseaddr;
  request.reuseport = options.reuseport;
  request.v6only = options.v6only;
  request.freebind = options.freebind;
  request.transparent = options.transparent;
  request.uid = options.uid;
  request.listen = options.listen;
  if (options.device) {
    Result<uint32_t> device = interface_index(*host, *options.device, true);
    if (!device) {
      complain(device.error().message());
      return kExitUsage;
    }
    request.device = *device;
  }
  explain::Verdict verdict = explain::check_bind(*host, request);
  if (options.json) {
    fmt::print("{}\n", output::render_bind_json(*host, request, verdict).dump());
  } else {
    fmt::print("{}", output::render_verdict_text(*host, request.protocol, output::describe_bind_question(*host, request), verdict));
  }
  return exit_code(verdict.outcome);
}

int run_delivery(const ExplainOptions& options, const Endpoint& destination) {
  if (destination.port == 0) {
    complain("the destination port must be between 1 and 65535");
    return kExitUsage;
  }
  explain::DeliveryRequest request;
  request.protocol = options.protocol;
  request.destination = destination;
  if (options.from) {
    Result<Endpoint> source = parse_source(*options.from);
    if (!source) {
      complain(fmt::format("--from: {}", source.error().message()));
      return kExitUsage;
    }
    request.source = *source;
  }
  Result<explain::HostState> host = collect_host_state(options.protocol, destination.port);
  if (!host) {
    complain(host.error().message());
    return kExitUsage;
  }
  if (options.in) {
    Result<uint32_t> in = interface_index(*host, *options.in, false);
    if (!in) {
      complain(fmt::format("--in: {}", in.error().message()));
      return kExitUsage;
    }
    request.arriving_interface = *in;
  }
  Result<explain::Verdict> verdict = explain::deliver(*host, request);
  if (!verdict) {
    complain(verdict.error().message());
    return kExitUsage;
  }
  if (options.json) {
    fmt::print("{}\n", output::render_delivery_json(*host, request, *verdict).dump());
  } else {
    fmt::print("{}", output::render_verdict_text(*host, request.protocol, output::describe_delivery_question(*host, request), *verdict));
  }
  return exit_code(verdict->outcome);
}

}  // namespace

void print_explain_help() {
  fmt::print(
      "usage: {0} explain [tcp|udp] ADDR:PORT [--from ADDR[:PORT]] [--in IFACE] [--json]\n"
      "       {0} explain --bind [tcp|udp] ADDR:PORT [--reuseaddr] [--reuseport] [--v6only|--no-v6only]\n"
      "                   [--freebind] [--transparent] [--device IFACE] [--uid N] [--listen] [--json]\n\n"
      "The first form answers: if a TCP connection (or UDP datagram) were sent to ADDR:PORT now,\n"
      "which socket on this host would get it, and why? By default the sender is this host itself;\n"
      "--in IFACE makes it arrive from outside on that interface, --from names the sender.\n\n"
      "The second form answers: would bind() of a new socket to ADDR:PORT with these options\n"
      "succeed (and listen() after it, with --listen)? If not, it names the errno the kernel would\n"
      "return, checked in the kernel's own order, and the sockets in the way.\n\n"
      "Each answer is a verdict line, the reasons in order (each with the rule and the kernel\n"
      "function it follows), what had to be assumed, and what would make it work. The facts are\n"
      "read from this network namespace: sockets, owners and their SO_REUSEADDR/SO_REUSEPORT\n"
      "(readable for processes we may trace; TIME_WAIT sockets never show them), addresses,\n"
      "the local routing table, sysctls and our capabilities. IPv6 is written [addr%scope]:port.\n\n"
      "  tcp|udp        the protocol (default tcp)\n"
      "  --from A[:P]   the sender's address and port\n"
      "  --in IFACE     the packet arrives on IFACE from another host\n"
      "  --bind         ask about bind() instead of delivery\n"
      "  --reuseaddr, --reuseport, --freebind, --transparent   set that socket option first\n"
      "  --v6only, --no-v6only   IPV6_V6ONLY on or off (default: net.ipv6.bindv6only)\n"
      "  --device IFACE SO_BINDTODEVICE\n"
      "  --uid N        the socket belongs to uid N (then assumed to have no capabilities unless N is 0)\n"
      "  --listen       also call listen() (TCP)\n"
      "  --json         one JSON object instead of text\n\n"
      "Exit status: 0 delivered or allowed, 1 refused, dropped or denied, 2 bad usage or an error.\n",
      program_name());
}

int run_explain(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      print_explain_help();
      return kExitOk;
    }
  }
  Result<ExplainOptions> options = parse_options(argc, argv);
  if (!options) {
    complain(options.error().message());
    return kExitUsage;
  }
  Result<Endpoint> endpoint = parse_endpoint(options->target, ScopeRule::kOptional);
  if (!endpoint) {
    complain(endpoint.error().message());
    return kExitUsage;
  }
  return options->bind ? run_bind(*options, *endpoint) : run_delivery(*options, *endpoint);
}

}  // namespace sockscope::cli
