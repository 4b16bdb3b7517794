#include "core/services.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <array>
#include <map>
#include <mutex>
#include <utility>

#include <fmt/format.h>

namespace sockscope {

std::optional<std::string> service_name(uint16_t port, std::string_view protocol) {
  std::string protocol_text(protocol);
  servent entry{};
  servent* found = nullptr;
  std::array<char, 4096> buffer{};
  if (getservbyport_r(htons(port), protocol_text.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr) {
    return std::nullopt;
  }
  return std::string(found->s_name);
}

std::optional<std::string_view> listed_service_name(uint16_t port, std::string_view protocol) {
  static std::map<std::pair<uint16_t, std::string>, std::string, std::less<>> names;
  static std::once_flag read;
  std::call_once(read, [] {
    servent entry{};
    servent* found = nullptr;
    std::array<char, 4096> buffer{};
    setservent(0);
    while (getservent_r(&entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
      names.emplace(std::pair{ntohs(static_cast<uint16_t>(found->s_port)), std::string(found->s_proto)}, found->s_name);
    }
    endservent();
  });
  auto known = names.find(std::pair{port, std::string(protocol)});
  if (known == names.end()) return std::nullopt;
  return std::string_view(known->second);
}

std::optional<uint16_t> service_port(std::string_view name, std::string_view protocol) {
  std::string name_text(name);
  std::string protocol_text(protocol);
  servent entry{};
  servent* found = nullptr;
  std::array<char, 4096> buffer{};
  if (getservbyname_r(name_text.c_str(), protocol_text.c_str(), &entry, buffer.data(), buffer.size(), &found) !=
          0 ||
      found == nullptr) {
    return std::nullopt;
  }
  return ntohs(static_cast<uint16_t>(found->s_port));
}

std::string service_label(uint16_t port, std::string_view protocol) {
  return fmt::format("[{}/{}]", protocol, service_name(port, protocol).value_or("*"));
}

}  // namespace sockscope
