// Verdict: the model's answer to a bind check or a delivery question, with the reasons in
// the kernel's order, each naming its rule and the kernel function it models.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "explain/host_state.h"

namespace sockscope::explain {

enum class Outcome : uint8_t {
  kAllowed,    // bind (and listen) would succeed
  kDenied,     // bind or listen would fail with `error`
  kDelivered,  // a socket receives it
  kRefused,    // it reaches the host, but no socket takes it: RST or ICMP port unreachable
  kDropped,    // it never reaches a socket lookup: not local, martian, interface down
};

struct Reason {
  std::string rule;    // a short stable name: "local-address", "tcp-conflict", ...
  std::string kernel;  // the kernel function whose behaviour this step models
  std::string text;    // one sentence for people
};

// How the receiving socket among `sockets` is chosen.
enum class Choice : uint8_t {
  kNone,             // nothing receives it
  kSingle,           // exactly one socket
  kReuseportGroup,   // one member of a SO_REUSEPORT group, picked by a hash of the 4-tuple
  kUndetermined,     // one of these; the facts needed to tell are not visible
};

// An existing socket the verdict names, copied so renderers need nothing else.
struct NamedSocket {
  size_t index = 0;     // position in HostState::sockets
  HostSocket socket;
  std::string note;     // bind conflicts: the exemption it fails; delivery: why it was chosen
};

struct Verdict {
  Outcome outcome = Outcome::kDenied;
  int error = 0;                    // errno for denied binds, 0 otherwise
  Choice choice = Choice::kNone;
  std::vector<NamedSocket> sockets;  // receivers (delivery) or conflicting sockets (bind)
  std::vector<Reason> reasons;
  std::string fix;                  // what would make it work; empty when it already does
  std::vector<std::string> assumptions;
  std::vector<std::string> warnings;  // true but not decisive (e.g. a socket that can no longer listen)
  // Unknown flags decide the answer: under the stated assumptions it is `outcome`; if every
  // unknown SO_REUSEADDR/SO_REUSEPORT were set (and unknown IPV6_V6ONLY too) it would be this.
  std::optional<Outcome> outcome_if_unknown_set;
  int error_if_unknown_set = 0;
};

}  // namespace sockscope::explain
