// Blocks as text and HTML, and their stored form (services/platform/document.h).
#include "services/platform/document.h"

#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace enamnd::platform {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(RenderBlocksAsTextTest, EveryKindOfBlock) {
  const std::vector<Block> blocks = {
      {Block::kTitle, "Protokoll"},
      {Block::kHeading, "§ 1 Val av justerare"},
      {Block::kSubheading, "Beslut"},
      {Block::kLine, "Ärendenr 2022/9"},
      {Block::kText, "rad ett\n\nrad tre"},
      {Block::kItem, "första punkten"},
      {Block::kHeaderRow, "Post\tBudget\tUtfall"},
      {Block::kRow, "Lön\t1 000\t"},
  };
  EXPECT_EQ(RenderBlocksAsText(blocks),
            "Protokoll\n"
            "=========\n"
            "\n§ 1 Val av justerare\n"
            "\nBeslut\n"
            "Ärendenr 2022/9\n"
            "  rad ett\n"
            "\n"
            "  rad tre\n"
            "  - första punkten\n"
            "  Post | Budget | Utfall\n"
            "  Lön | 1 000 | \n");
  EXPECT_EQ(RenderBlocksAsText({}), "");
}

TEST(RenderBlocksAsTextTest, PageBreaksAreThePdfsOnly) {
  const std::vector<Block> with = {
      {Block::kLine, "a"}, {Block::kPageBreak, ""}, {Block::kItem, "b"}};
  const std::vector<Block> without = {{Block::kLine, "a"}, {Block::kItem, "b"}};
  EXPECT_EQ(RenderBlocksAsText(with), RenderBlocksAsText(without));
  EXPECT_EQ(RenderBlocksAsHtml(with, "t"), RenderBlocksAsHtml(without, "t"));
  absl::StatusOr<std::vector<Block>> decoded = DecodeBlocks(EncodeBlocks(with));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, with);
}

TEST(RenderBlocksAsHtmlTest, ListsAndTablesOpenAndCloseAroundTheirBlocks) {
  const std::vector<Block> blocks = {
      {Block::kHeading, "A & B"}, {Block::kItem, "<script>x</script>"},
      {Block::kItem, "y"},        {Block::kHeaderRow, "Namn\t\"Roll\""},
      {Block::kRow, "Åsa\t<b>"},  {Block::kRow, "Bo\t"},
      {Block::kText, "ett\ntvå"}, {Block::kRow, "sist"},
  };
  const std::string html = RenderBlocksAsHtml(blocks, "P < Q");
  EXPECT_THAT(html, StartsWith("<!DOCTYPE html>\n<html lang=\"sv\">\n"));
  EXPECT_THAT(html, HasSubstr("<title>P &lt; Q</title>"));
  EXPECT_THAT(html, HasSubstr("<h2>A &amp; B</h2>\n"
                              "<ul>\n"
                              "<li>&lt;script&gt;x&lt;/script&gt;</li>\n"
                              "<li>y</li>\n"
                              "</ul>\n"
                              "<table>\n"
                              "<tr><th>Namn</th><th>&quot;Roll&quot;</th></tr>\n"
                              "<tr><td>Åsa</td><td>&lt;b&gt;</td></tr>\n"
                              "<tr><td>Bo</td><td></td></tr>\n"
                              "</table>\n"
                              "<p>ett<br>\ntvå</p>\n"
                              "<table>\n"
                              "<tr><td>sist</td></tr>\n"
                              "</table>\n"
                              "</body>\n</html>\n"));
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
}

std::vector<Block> EveryKind() {
  return {
      {Block::kTitle, "Protokoll – Norrbottens e-nämnd"},
      {Block::kHeading, "§ 8 Grundläggande granskning"},
      {Block::kSubheading, ""},
      {Block::kLine, "1:2:3 ser ut som en längd"},
      {Block::kText, "rad\nrad\r\n\"citat\" ”citat”"},
      {Block::kItem, std::string("noll\0byte", 9)},
      {Block::kRow, "a\tb\t"},
      {Block::kHeaderRow, "\t"},
  };
}

TEST(EncodeBlocksTest, DecodeGivesBackWhatWasEncoded) {
  for (const std::vector<Block>& blocks : {EveryKind(), std::vector<Block>{}}) {
    const std::string encoded = EncodeBlocks(blocks);
    absl::StatusOr<std::vector<Block>> decoded = DecodeBlocks(encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, blocks);
    EXPECT_EQ(EncodeBlocks(*decoded), encoded);
  }
}

// Cut anywhere, an encoded list is rejected, except between two blocks:
// there it is the shorter list.
TEST(EncodeBlocksTest, TruncatedInputIsRejectedExceptBetweenBlocks) {
  const std::vector<Block> blocks = EveryKind();
  const std::string encoded = EncodeBlocks(blocks);
  std::set<size_t> block_ends;
  for (size_t n = 0; n <= blocks.size(); ++n) {
    block_ends.insert(EncodeBlocks(std::vector<Block>(blocks.begin(), blocks.begin() + n)).size());
  }
  for (size_t length = 0; length < encoded.size(); ++length) {
    absl::StatusOr<std::vector<Block>> decoded = DecodeBlocks(encoded.substr(0, length));
    if (block_ends.count(length) > 0) {
      ASSERT_TRUE(decoded.ok()) << length << ": " << decoded.status();
      EXPECT_EQ(*decoded, std::vector<Block>(blocks.begin(), blocks.begin() + decoded->size()));
    } else {
      EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument) << length;
    }
  }
}

TEST(EncodeBlocksTest, GarbageIsRejectedNamingTheField) {
  const std::string magic = EncodeBlocks({});
  for (const std::string& garbage : {
           std::string(""),
           std::string("garbage"),
           std::string("enamnd-blocks 2\n5:3:abc"),  // another version
           magic + "10:3:abc",                       // unknown kind
           magic + "0:3:abc",
           magic + "5:4:abc",   // longer than what is left
           magic + "5:x:abc",   // no length
           magic + "5:-1:abc",  // negative
           magic + "5",
           magic + "5:3",
           magic + "5:99999999999:abc",
           // Numbers as EncodeBlocks never writes them: one list, one encoding.
           magic + "+5:3:abc",
           magic + " 5:3:abc",
           magic + "05:3:abc",
           magic + "5:03:abc",
           magic + "5:3 :abc",
       }) {
    absl::StatusOr<std::vector<Block>> decoded = DecodeBlocks(garbage, "stored_blocks");
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument) << garbage;
    EXPECT_THAT(std::string(decoded.status().message()), StartsWith("stored_blocks: ")) << garbage;
  }
}

}  // namespace
}  // namespace enamnd::platform
