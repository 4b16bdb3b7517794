#include "procfs/sysctl.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace sockscope::procfs {
namespace {

class FakeProc : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("sockscope-sysctl-" + std::to_string(getpid()));
    std::filesystem::create_directories(root_ / "sys/net/ipv4/conf/en0");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(root_ / "sys" / name) << text; }
  std::filesystem::path root_;
};

TEST_F(FakeProc, ReadsNumbersAndRejectsTheRest) {
  write("net/ipv4/ip_unprivileged_port_start", "1024\n");
  write("net/ipv4/conf/en0/route_localnet", "1\n");
  write("net/ipv4/garbage", "yes\n");
  EXPECT_EQ(read_sysctl("net/ipv4/ip_unprivileged_port_start", root_), 1024);
  EXPECT_EQ(read_sysctl("net/ipv4/conf/en0/route_localnet", root_), 1);
  EXPECT_FALSE(read_sysctl("net/ipv4/garbage", root_));
  EXPECT_FALSE(read_sysctl("net/ipv4/missing", root_));
}

}  // namespace
}  // namespace sockscope::procfs
