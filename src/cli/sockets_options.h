// Parsed `sockets` command line: lsof's options for sockets, and our own (--json, --table,
// --record/--replay, --source, --owners).
#pragma once

#include <optional>
#include <string>

#include "core/error.h"
#include "output/sockets_lsof.h"
#include "sockets/owners.h"
#include "sockets/selection.h"

namespace sockscope::cli {

enum class SocketsView { kLsof, kFields, kPids, kTable, kJson };

// -E and +E: the processes at the other end of local connections, after each address; with
// +E their sockets are listed too.
enum class OtherEnds { kHidden, kShown, kShownAndListed };

struct SocketsOptions {
  bool help = false;  // -h, -? or --help: the rest of the line is not read
  bool field_help = false;  // -F?: lsof's list of field letters, on stderr, and nothing else
  sockets::Selection selection;
  output::LsofStyle style;
  SocketsView view = SocketsView::kLsof;
  std::string fields;
  bool nul_fields = false;
  bool pids_only = false;     // -t was given
  bool fields_given = false;  // -F was given (lsof refuses both)
  bool ignore_failed_search = false;  // -Q: exit 0 whatever was not found
  bool verbose_search = false;        // -V: name each item that was not found
  bool warnings = true;
  OtherEnds other_ends = OtherEnds::kHidden;
  // File operands that could not be used, one line each: lsof's "status error on PATH: ...",
  // which makes the exit status 1; and, when warnings are on, files that are no sockets.
  std::vector<std::string> operand_errors;
  std::vector<std::string> operand_warnings;
  // Lines lsof writes on stderr whatever -w says (an -S time raised to its minimum).
  std::vector<std::string> notices;
  std::optional<int> repeat_seconds;
  std::optional<int> repeat_count;  // -r's c<N>
  bool repeat_until_empty = false;  // +r
  std::string repeat_marker;        // -r's m<format>
  std::string record_path;          // --record=FILE: keep the kernel's replies (for golden tests)
  std::string replay_path;          // --replay=FILE: answer from such a file; no owners then
  bool from_proc = false;           // --source=proc: read /proc/net as on kernels without sock_diag
  sockets::OwnerSource owners = sockets::OwnerSource::kAny;  // --owners=proc|bpf, to compare the two
};

// lsof's grammar: bundled letters (-Pni), optional arguments taken from the next word unless
// it starts with - or +, and lsof's messages for what it refuses.
Result<SocketsOptions> parse_sockets_options(int argc, char** argv);

}  // namespace sockscope::cli
