#include "sockets/diag_filter.h"

#include <linux/inet_diag.h>

#include <cstring>

namespace sockscope::sockets {
namespace {

// One test of the program. The kernel runs the ops in order: a true test jumps `yes` bytes
// ahead, a false one `no` bytes; landing exactly on the end accepts, jumping past it rejects.
// A port comparison is two ops: the test, then an op whose `no` field carries the port.
struct PortTest {
  uint8_t code;
  uint16_t port;
};
constexpr size_t kOpSize = sizeof(inet_diag_bc_op);
constexpr size_t kTestSize = 2 * kOpSize;

void put_op(std::vector<uint8_t>& out, uint8_t code, uint32_t yes, uint32_t no) {
  inet_diag_bc_op op{code, static_cast<uint8_t>(yes), static_cast<uint16_t>(no)};
  const uint8_t* bytes = reinterpret_cast<const uint8_t*>(&op);
  out.insert(out.end(), bytes, bytes + kOpSize);
}

}  // namespace

std::vector<uint8_t> compile_port_filter(const std::vector<PortRange>& ranges) {
  // Each alternative is a short chain of tests that must all hold: (sport == p), or
  // (sport >= lo and sport <= hi); then the same for dport. The alternatives are ORed.
  std::vector<std::vector<PortTest>> alternatives;
  for (const PortRange& range : ranges) {
    for (bool local : {true, false}) {
      if (range.first == range.last) {
        alternatives.push_back({{static_cast<uint8_t>(local ? INET_DIAG_BC_S_EQ : INET_DIAG_BC_D_EQ), range.first}});
      } else {
        alternatives.push_back({{static_cast<uint8_t>(local ? INET_DIAG_BC_S_GE : INET_DIAG_BC_D_GE), range.first},
                                {static_cast<uint8_t>(local ? INET_DIAG_BC_S_LE : INET_DIAG_BC_D_LE), range.last}});
      }
    }
  }
  // The kernel audits a program by walking its `yes` jumps from the start, and every `no`
  // target must lie on that walk. So the layout is linear: an alternative's tests pass into
  // each other, then into an unconditional jump to the end (accept); a failed test skips to
  // the next alternative, and in the last alternative past the end (reject).
  size_t total = 0;
  for (const auto& chain : alternatives) total += chain.size() * kTestSize + kOpSize;
  if (alternatives.empty()) return {};
  total -= kOpSize;  // the last alternative needs no jump
  if (total > 0xffff - 4) return {};  // beyond what `no` can encode: go unfiltered

  std::vector<uint8_t> program;
  for (size_t a = 0; a < alternatives.size(); ++a) {
    bool last_alternative = a + 1 == alternatives.size();
    size_t start = program.size();
    size_t next = start + alternatives[a].size() * kTestSize + (last_alternative ? 0 : kOpSize);
    for (const PortTest& test : alternatives[a]) {
      size_t here = program.size();
      uint32_t no = static_cast<uint32_t>(next - here) + (last_alternative ? 4 : 0);
      put_op(program, test.code, kTestSize, no);
      put_op(program, 0, 0, test.port);
    }
    if (!last_alternative) {
      // INET_DIAG_BC_JMP always takes its `no` branch.
      put_op(program, INET_DIAG_BC_JMP, kOpSize, static_cast<uint32_t>(total - program.size()));
    }
  }
  return program;
}

}  // namespace sockscope::sockets
