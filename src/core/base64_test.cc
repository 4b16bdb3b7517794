#include "core/base64.h"

#include <gtest/gtest.h>

namespace sockscope {

// The RFC 4648 section 10 vectors, and the credentials nc.openbsd was seen sending.
TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(encode_base64(""), "");
  EXPECT_EQ(encode_base64("f"), "Zg==");
  EXPECT_EQ(encode_base64("fo"), "Zm8=");
  EXPECT_EQ(encode_base64("foo"), "Zm9v");
  EXPECT_EQ(encode_base64("foob"), "Zm9vYg==");
  EXPECT_EQ(encode_base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(encode_base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(encode_base64("bob:s3cret"), "Ym9iOnMzY3JldA==");
  EXPECT_EQ(encode_base64(std::string("\xff\xfe\x00", 3)), "//4A");
}

}  // namespace sockscope
