#include "core/auth/secret.h"

#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/fixtures.h"

TEST(Secret, GeneratedOnceThenReadBack) {
  hub::test::TempDir dir;
  auto a = hub::auth::loadOrCreateSecret(dir.path() + "/nested");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->size(), 64u);
  auto b = hub::auth::loadOrCreateSecret(dir.path() + "/nested");
  ASSERT_TRUE(b);
  EXPECT_EQ(*a, *b);
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() + "/nested/auth.secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(Secret, TooShortFileIsAnError) {
  hub::test::TempDir dir;
  std::ofstream(dir.path() + "/auth.secret") << "short\n";
  auto s = hub::auth::loadOrCreateSecret(dir.path());
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("auth.secret"), std::string::npos);
}
