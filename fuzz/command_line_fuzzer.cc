// Feeds arbitrary command lines to the nc and sockets option parsers: whatever the words,
// each parser must answer with options or one error, never crash. The input's NUL bytes
// split it into words (no word of a real command line can hold one).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/nc_options.h"
#include "cli/sockets_options.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sockscope;
  constexpr size_t kMostWords = 32;
  std::vector<std::string> words{"fuzzed"};
  words.emplace_back();
  for (size_t i = 0; i < size; ++i) {
    if (data[i] != '\0') {
      words.back() += static_cast<char>(data[i]);
    } else if (words.size() < kMostWords) {
      words.emplace_back();
    }
  }
  // getopt moves words around in argv, so each parser gets a fresh copy.
  auto parse = [&words](auto&& parser) {
    std::vector<std::string> copy = words;
    std::vector<char*> argv;
    for (std::string& word : copy) argv.push_back(word.data());
    argv.push_back(nullptr);
    parser(static_cast<int>(copy.size()), argv.data());
  };

  parse([](int argc, char** argv) {
    auto options = cli::parse_nc_options(argc, argv, [] { return Result<std::string>("fuzzed key"); });
    if (options) (void)cli::settle_nc_operands(*options);
  });
  // A host name after '@' in an -i spec is looked up, and a fuzzer must send no DNS query.
  bool names_a_host = false;
  for (const std::string& word : words) names_a_host = names_a_host || word.find('@') != std::string::npos;
  if (!names_a_host) parse([](int argc, char** argv) { (void)cli::parse_sockets_options(argc, argv); });
  return 0;
}
