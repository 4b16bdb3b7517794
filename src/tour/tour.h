// The seed scenario, step by step on real sockets: interfaces, a loopback listener, lsof's
// view, connections that work and one that is refused, a wildcard listener beside it, which
// listener gets which address, a bind to an address the host lacks, and where Linux differs
// from the macOS the seed was written on. Every step shows the command and the real outcome.
#pragma once

namespace sockscope::tour {

struct TourOptions {
  bool loopback_only = false;  // skip the private namespace even when one could be made
};

// Prints the tour on stdout; 0 when every step behaved as the lesson says, 1 otherwise.
int run_tour(const TourOptions& options);

}  // namespace sockscope::tour
