#include "netlink/channel.h"

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace sockscope::netlink {
namespace {

// Dumps every link's index through RTM_GETLINK.
Result<std::vector<int>> link_indexes(Channel& channel) {
  alignas(nlmsghdr) char buffer[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* request = mnl_nlmsg_put_header(buffer);
  request->nlmsg_type = RTM_GETLINK;
  ifinfomsg* info = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(request, sizeof(ifinfomsg)));
  info->ifi_family = AF_UNSPEC;
  std::vector<int> indexes;
  Result<void> done = channel.dump(*request, [&](const nlmsghdr& message) -> Result<void> {
    EXPECT_EQ(message.nlmsg_type, RTM_NEWLINK);
    indexes.push_back(static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(&message))->ifi_index);
    return {};
  });
  if (!done) return tl::unexpected(done.error());
  return indexes;
}

TEST(Channel, LiveDumpRecordsAndReplays) {
  Result<Channel> live = Channel::open(NETLINK_ROUTE);
  ASSERT_TRUE(live) << live.error().message();
  std::string path = ::testing::TempDir() + "/links.nldump";
  ASSERT_TRUE(live->record_to(path));
  Result<std::vector<int>> seen = link_indexes(*live);
  ASSERT_TRUE(seen) << seen.error().message();
  EXPECT_NE(std::find(seen->begin(), seen->end(), static_cast<int>(if_nametoindex("lo"))), seen->end());

  Result<Channel> replayed = Channel::replay(path);
  ASSERT_TRUE(replayed);
  Result<std::vector<int>> again = link_indexes(*replayed);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(*again, *seen);
  // The recording holds one dump; asking for a second one is an error, not a hang.
  EXPECT_FALSE(link_indexes(*replayed));
  unlink(path.c_str());
}

TEST(Channel, KernelErrorsBecomeErrors) {
  Result<Channel> live = Channel::open(NETLINK_ROUTE);
  ASSERT_TRUE(live);
  alignas(nlmsghdr) char buffer[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* request = mnl_nlmsg_put_header(buffer);
  request->nlmsg_type = 0x7fff;  // no such rtnetlink message type
  mnl_nlmsg_put_extra_header(request, sizeof(rtgenmsg));
  Result<void> done = live->dump(*request, [](const nlmsghdr&) -> Result<void> { return {}; });
  ASSERT_FALSE(done);
  EXPECT_NE(done.error().code, 0);
}

TEST(Channel, MissingRecordingIsAnError) { EXPECT_FALSE(Channel::replay("/nonexistent/recording")); }

}  // namespace
}  // namespace sockscope::netlink
