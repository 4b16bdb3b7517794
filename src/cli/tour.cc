// `sockscope tour`: the seed scenario replayed on real sockets (see tour/tour.h).
#include <string_view>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "core/program_name.h"
#include "tour/tour.h"

namespace sockscope::cli {

void print_tour_help() {
  fmt::print(
      "usage: {} tour [--loopback]\n\n"
      "Replays the sockets lesson step by step on real sockets: the interfaces, a listener on\n"
      "127.0.0.1, who holds the port, a connection that works and one that is refused, a wildcard\n"
      "listener beside the first, which one receives each address, a bind to an address the\n"
      "machine lacks, and where Linux differs from macOS. It builds a private network namespace\n"
      "like the author's machine (needs root or CAP_SYS_ADMIN) and removes it at the end; without\n"
      "that permission, or with --loopback, it uses loopback addresses only.\n\n"
      "Exit status: 0 every step behaved as the lesson says, 1 otherwise, 2 bad usage.\n",
      program_name());
}

int run_tour(int argc, char** argv) {
  tour::TourOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--loopback") {
      options.loopback_only = true;
    } else if (arg == "-h" || arg == "--help") {
      print_tour_help();
      return kExitOk;
    } else {
      fmt::print(stderr, "{} tour: unknown argument {}; see '{} help tour'\n", program_name(), arg, program_name());
      return kExitUsage;
    }
  }
  return tour::run_tour(options);
}

}  // namespace sockscope::cli
