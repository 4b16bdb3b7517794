// explain renderers: for people, the verdict line, the numbered reasons (each with its rule
// and kernel function), what was assumed, and the fix; for scripts, the same as JSON.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "explain/check_bind.h"
#include "explain/deliver.h"
#include "explain/host_state.h"
#include "explain/verdict.h"

namespace sockscope::output {

// "EADDRINUSE" for EADDRINUSE; the number for errnos explain never returns.
std::string errno_name(int error);

// What was asked, in words: "bind tcp 0.0.0.0:4444 with SO_REUSEADDR, then listen()",
// "tcp to 192.168.1.89:4444 from the host", "udp to 10.99.0.1:53 from 192.168.1.50, arriving on en0".
std::string describe_bind_question(const explain::HostState& host, const explain::BindRequest& request);
std::string describe_delivery_question(const explain::HostState& host, const explain::DeliveryRequest& request);

std::string render_verdict_text(const explain::HostState& host, explain::Protocol protocol, const std::string& question,
                                const explain::Verdict& verdict);

nlohmann::ordered_json render_bind_json(const explain::HostState& host, const explain::BindRequest& request,
                                        const explain::Verdict& verdict);
nlohmann::ordered_json render_delivery_json(const explain::HostState& host, const explain::DeliveryRequest& request,
                                            const explain::Verdict& verdict);

}  // namespace sockscope::output
