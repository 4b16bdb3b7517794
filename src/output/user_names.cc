#include "output/user_names.h"

#include <pwd.h>

#include <map>

namespace sockscope::output {

std::optional<std::string> login_name(uid_t uid) {
  static std::map<uid_t, std::optional<std::string>> cache;
  auto known = cache.find(uid);
  if (known == cache.end()) {
    passwd* entry = getpwuid(uid);
    known = cache.emplace(uid, entry != nullptr ? std::optional<std::string>(entry->pw_name) : std::nullopt).first;
  }
  return known->second;
}

}  // namespace sockscope::output
