// The key file of FieldCipher on a real disk (label db: touches the filesystem).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "security/field_cipher.h"

namespace lep::security {
namespace {

TEST(FieldCipher, KeyFileIsCreatedPrivateAndReadBack) {
  auto dir = std::filesystem::temp_directory_path() / ("lep-key-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::string path = (dir / "secrets" / "lep.key").string();
  EXPECT_FALSE(FieldCipher::FromKeyFile(path, false));  // missing, not created
  auto a = FieldCipher::FromKeyFile(path, true);
  ASSERT_TRUE(a) << a.error().message;
  struct stat st{};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto b = FieldCipher::FromKeyFile(path, true);  // exists: read, not replaced
  ASSERT_TRUE(b);
  EXPECT_EQ(*b->Decrypt(a->Encrypt("x", "c"), "c"), "x");
  std::ofstream(path, std::ios::trunc) << "short";
  auto bad = FieldCipher::FromKeyFile(path, false);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("格式错误"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lep::security
