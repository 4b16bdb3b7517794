#include "output/explain_render.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "explain/addresses.h"
#include "explain/describe.h"

namespace sockscope::output {
namespace {

using explain::Choice;
using explain::HostSocket;
using explain::HostState;
using explain::Outcome;
using explain::Verdict;

std::string outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAllowed: return "allowed";
    case Outcome::kDenied: return "denied";
    case Outcome::kDelivered: return "delivered";
    case Outcome::kRefused: return "refused";
    case Outcome::kDropped: return "dropped";
  }
  return "?";
}

std::string choice_name(Choice choice) {
  switch (choice) {
    case Choice::kNone: return "none";
    case Choice::kSingle: return "single";
    case Choice::kReuseportGroup: return "reuseport-group";
    case Choice::kUndetermined: return "undetermined";
  }
  return "?";
}

std::string state_name(const HostSocket& socket) {
  switch (socket.state) {
    case explain::SocketState::kListen: return "listen";
    case explain::SocketState::kBound: return "bound";
    case explain::SocketState::kConnected: return "connected";
    case explain::SocketState::kTimeWait: return "time-wait";
  }
  return "?";
}

nlohmann::ordered_json optional_bool(std::optional<bool> value) {
  if (!value) return nullptr;
  return *value;
}

nlohmann::ordered_json socket_json(const HostState& host, const explain::NamedSocket& named) {
  const HostSocket& socket = named.socket;
  nlohmann::ordered_json json;
  json["protocol"] = explain::protocol_name(socket.protocol);
  json["family"] = socket.family == AF_INET ? "inet" : "inet6";
  json["local"] = explain::format_endpoint(host, socket.local);
  json["local_address"] = explain::format_address(host, socket.local.address);
  json["local_port"] = socket.local.port;
  if (socket.state == explain::SocketState::kConnected || socket.state == explain::SocketState::kTimeWait) {
    json["remote"] = explain::format_endpoint(host, socket.remote);
  } else {
    json["remote"] = nullptr;
  }
  json["state"] = state_name(socket);
  json["kernel_state"] = explain::state_word(socket);
  json["device"] = socket.device ? nlohmann::ordered_json(explain::interface_name(host, socket.device)) : nullptr;
  json["v6only"] = socket.family == AF_INET6 ? optional_bool(socket.v6only) : nlohmann::ordered_json(false);
  json["uid"] = socket.uid;
  json["reuseaddr"] = optional_bool(socket.reuseaddr);
  json["reuseport"] = optional_bool(socket.reuseport);
  json["inode"] = socket.inode;
  nlohmann::ordered_json owners = nlohmann::ordered_json::array();
  for (const explain::Owner& owner : socket.owners) {
    owners.push_back({{"pid", owner.pid}, {"command", owner.command}, {"fd", owner.fd}});
  }
  json["owners"] = owners;
  json["note"] = named.note;
  return json;
}

nlohmann::ordered_json verdict_json(const HostState& host, const Verdict& verdict) {
  nlohmann::ordered_json json;
  json["outcome"] = outcome_name(verdict.outcome);
  json["errno"] = verdict.error ? nlohmann::ordered_json(errno_name(verdict.error)) : nullptr;
  json["error"] = verdict.error ? nlohmann::ordered_json(std::strerror(verdict.error)) : nullptr;
  json["choice"] = choice_name(verdict.choice);
  nlohmann::ordered_json sockets = nlohmann::ordered_json::array();
  for (const explain::NamedSocket& named : verdict.sockets) sockets.push_back(socket_json(host, named));
  json["sockets"] = sockets;
  nlohmann::ordered_json reasons = nlohmann::ordered_json::array();
  for (const explain::Reason& reason : verdict.reasons) {
    reasons.push_back({{"rule", reason.rule}, {"kernel", reason.kernel}, {"text", reason.text}});
  }
  json["reasons"] = reasons;
  json["fix"] = verdict.fix.empty() ? nullptr : nlohmann::ordered_json(verdict.fix);
  json["assumptions"] = verdict.assumptions;
  json["warnings"] = verdict.warnings;
  if (verdict.outcome_if_unknown_set) {
    json["if_unknown_flags_set"] = {{"outcome", outcome_name(*verdict.outcome_if_unknown_set)},
                                    {"errno", verdict.error_if_unknown_set ? nlohmann::ordered_json(errno_name(verdict.error_if_unknown_set))
                                                                           : nullptr}};
  } else {
    json["if_unknown_flags_set"] = nullptr;
  }
  return json;
}

std::string receivers_text(const HostState& host, const Verdict& verdict) {
  std::vector<std::string> names;
  for (const explain::NamedSocket& named : verdict.sockets) names.push_back(explain::owners_text(named.socket));
  if (verdict.sockets.empty()) return "";
  const HostSocket& first = verdict.sockets.front().socket;
  std::string where = explain::format_endpoint(host, first.local);
  switch (verdict.choice) {
    case Choice::kSingle:
      return fmt::format("{} {} ({})", where, explain::state_word(first), names.front());
    case Choice::kReuseportGroup:
      return fmt::format("one of {} SO_REUSEPORT sockets on {}, picked by a hash of the 4-tuple: {}", verdict.sockets.size(), where,
                         fmt::join(names, ", "));
    case Choice::kUndetermined: {
      std::vector<std::string> each;
      for (const explain::NamedSocket& named : verdict.sockets) {
        each.push_back(fmt::format("{} ({})", explain::format_endpoint(host, named.socket.local), explain::owners_text(named.socket)));
      }
      return fmt::format("one of {}; which one cannot be told from here", fmt::join(each, ", "));
    }
    case Choice::kNone: break;
  }
  return "";
}

std::string verdict_line(const HostState& host, const std::string& question, const Verdict& verdict, bool tcp) {
  switch (verdict.outcome) {
    case Outcome::kAllowed: return fmt::format("allowed: {} would succeed", question);
    case Outcome::kDenied:
      return fmt::format("denied: {} would fail with {} ({})", question, errno_name(verdict.error), std::strerror(verdict.error));
    case Outcome::kDelivered: return fmt::format("delivered: {} goes to {}", question, receivers_text(host, verdict));
    case Outcome::kRefused:
      return fmt::format("refused: {}: no socket takes it ({})", question, tcp ? "connection refused" : "ICMP port unreachable");
    case Outcome::kDropped: return fmt::format("dropped: {}: it never reaches a socket", question);
  }
  return question;
}

std::string options_text(const explain::BindRequest& request, const HostState& host) {
  std::vector<std::string> options;
  if (request.reuseaddr) options.push_back("SO_REUSEADDR");
  if (request.reuseport) options.push_back("SO_REUSEPORT");
  if (request.v6only) options.push_back(*request.v6only ? "IPV6_V6ONLY" : "IPV6_V6ONLY=0");
  if (request.freebind) options.push_back("IP_FREEBIND");
  if (request.transparent) options.push_back("IP_TRANSPARENT");
  if (request.device) options.push_back(fmt::format("SO_BINDTODEVICE={}", explain::interface_name(host, request.device)));
  return fmt::format("{}", fmt::join(options, ", "));
}

}  // namespace

std::string errno_name(int error) {
  switch (error) {
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EACCES: return "EACCES";
    case EINVAL: return "EINVAL";
    case ENODEV: return "ENODEV";
    case EPERM: return "EPERM";
    default: return std::to_string(error);
  }
}

std::string describe_bind_question(const HostState& host, const explain::BindRequest& request) {
  std::string options = options_text(request, host);
  std::string text = fmt::format("bind {} {}", explain::protocol_name(request.protocol), explain::format_endpoint(host, request.endpoint));
  if (!options.empty()) text += " with " + options;
  if (request.uid) text += fmt::format(" as uid {}", *request.uid);
  if (request.listen) text += ", then listen()";
  return text;
}

std::string describe_delivery_question(const HostState& host, const explain::DeliveryRequest& request) {
  std::string text = fmt::format("{} to {}", explain::protocol_name(request.protocol), explain::format_endpoint(host, request.destination));
  const explain::HostInterface* incoming = request.arriving_interface ? explain::find_interface(host, *request.arriving_interface) : nullptr;
  bool from_host = incoming == nullptr || incoming->loopback;
  if (request.source) {
    text += " from " + (request.source->port ? explain::format_endpoint(host, *request.source)
                                             : explain::format_address(host, request.source->address));
    if (from_host) text += " (the host itself)";
  } else if (from_host) {
    text += " from the host";
  }
  if (!from_host) text += fmt::format(", arriving on {}", incoming->name);
  return text;
}

std::string render_verdict_text(const HostState& host, explain::Protocol protocol, const std::string& question, const Verdict& verdict) {
  std::string text = verdict_line(host, question, verdict, protocol == explain::Protocol::kTcp) + "\n";
  for (size_t i = 0; i < verdict.reasons.size(); ++i) {
    const explain::Reason& reason = verdict.reasons[i];
    text += fmt::format("  {}. {} [{}; {}()]\n", i + 1, reason.text, reason.rule, reason.kernel);
  }
  for (const std::string& warning : verdict.warnings) text += fmt::format("note: {}\n", warning);
  for (const std::string& assumption : verdict.assumptions) text += fmt::format("assumed: {}\n", assumption);
  if (verdict.outcome_if_unknown_set) {
    text += fmt::format("if those flags were set instead: {}{}\n", outcome_name(*verdict.outcome_if_unknown_set),
                        verdict.error_if_unknown_set ? " with " + errno_name(verdict.error_if_unknown_set) : "");
  }
  if (!verdict.fix.empty()) text += fmt::format("fix: {}\n", verdict.fix);
  return text;
}

nlohmann::ordered_json render_bind_json(const HostState& host, const explain::BindRequest& request, const Verdict& verdict) {
  nlohmann::ordered_json question;
  question["kind"] = "bind";
  question["protocol"] = explain::protocol_name(request.protocol);
  question["endpoint"] = explain::format_endpoint(host, request.endpoint);
  question["reuseaddr"] = request.reuseaddr;
  question["reuseport"] = request.reuseport;
  question["v6only"] = request.v6only ? nlohmann::ordered_json(*request.v6only) : nullptr;
  question["freebind"] = request.freebind;
  question["transparent"] = request.transparent;
  question["device"] = request.device ? nlohmann::ordered_json(explain::interface_name(host, request.device)) : nullptr;
  question["uid"] = request.uid ? nlohmann::ordered_json(*request.uid) : nlohmann::ordered_json(host.caller_uid);
  question["listen"] = request.listen;
  nlohmann::ordered_json json;
  json["question"] = question;
  json["summary"] = describe_bind_question(host, request);
  json.update(verdict_json(host, verdict));
  return json;
}

nlohmann::ordered_json render_delivery_json(const HostState& host, const explain::DeliveryRequest& request, const Verdict& verdict) {
  nlohmann::ordered_json question;
  question["kind"] = "deliver";
  question["protocol"] = explain::protocol_name(request.protocol);
  question["destination"] = explain::format_endpoint(host, request.destination);
  question["source"] = request.source ? nlohmann::ordered_json(request.source->port ? explain::format_endpoint(host, *request.source)
                                                                                   : explain::format_address(host, request.source->address))
                                      : nullptr;
  question["arriving_interface"] =
      request.arriving_interface ? nlohmann::ordered_json(explain::interface_name(host, *request.arriving_interface)) : nullptr;
  nlohmann::ordered_json json;
  json["question"] = question;
  json["summary"] = describe_delivery_question(host, request);
  json.update(verdict_json(host, verdict));
  return json;
}

}  // namespace sockscope::output
