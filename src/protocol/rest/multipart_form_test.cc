#include "protocol/rest/multipart_form.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tidepool::protocol {
namespace {

struct Part {
  FormPartHead head;
  std::string data;
  bool ended = false;
};

// Records the parts; stops after the part named `stop_after` (when set).
class Recorder : public MultipartFormReader::Handler {
 public:
  explicit Recorder(std::string stop_after = "") : stop_after_(std::move(stop_after)) {}
  void OnPartBegin(const FormPartHead& head) override { parts.push_back(Part{head, "", false}); }
  void OnPartData(std::string_view data) override { parts.back().data.append(data); }
  bool OnPartEnd() override {
    parts.back().ended = true;
    return parts.back().head.name != stop_after_;
  }
  std::vector<Part> parts;

 private:
  std::string stop_after_;
};

constexpr std::string_view kBody =
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"key\"\r\n"
    "\r\n"
    "uploads/${filename}\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".txt\"\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "line one\r\n--XyQ-not-a-boundary? no: --Xy\r\n\r\n--X\r\n"
    "--XyZ   \r\n"
    "content-disposition: form-data; name=submit\r\n"
    "\r\n"
    "Upload\r\n"
    "--XyZ--\r\n"
    "epilogue";

void ExpectParsed(const Recorder& r) {
  ASSERT_EQ(r.parts.size(), 3u);
  EXPECT_EQ(r.parts[0].head.name, "key");
  EXPECT_FALSE(r.parts[0].head.filename);
  EXPECT_EQ(r.parts[0].data, "uploads/${filename}");
  EXPECT_EQ(r.parts[1].head.name, "file");
  EXPECT_EQ(r.parts[1].head.filename.value_or(""), "a \"b\".txt");
  EXPECT_EQ(r.parts[1].head.content_type, "text/plain");
  EXPECT_EQ(r.parts[1].data, "line one\r\n--XyQ-not-a-boundary? no: --Xy\r\n\r\n--X");
  EXPECT_EQ(r.parts[2].head.name, "submit");
  EXPECT_EQ(r.parts[2].data, "Upload");
  for (const Part& p : r.parts) EXPECT_TRUE(p.ended);
}

TEST(MultipartFormReaderTest, ReadsPartsWhole) {
  Recorder r;
  MultipartFormReader reader("XyZ", &r);
  EXPECT_TRUE(reader.Write(kBody));
  EXPECT_TRUE(reader.Complete());
  ExpectParsed(r);
}

TEST(MultipartFormReaderTest, ReadsPartsInPiecesOfEverySize) {
  for (size_t step = 1; step < 40; ++step) {
    Recorder r;
    MultipartFormReader reader("XyZ", &r);
    for (size_t i = 0; i < kBody.size(); i += step) {
      ASSERT_TRUE(reader.Write(kBody.substr(i, step))) << step << ": " << reader.error();
    }
    EXPECT_TRUE(reader.Complete()) << step;
    ExpectParsed(r);
  }
}

TEST(MultipartFormReaderTest, SkipsAPreambleAndEmptyParts) {
  Recorder r;
  MultipartFormReader reader("b", &r);
  EXPECT_TRUE(reader.Write("preamble text\r\n--b\r\n\r\nno headers\r\n--b--"));
  EXPECT_TRUE(reader.Complete());
  ASSERT_EQ(r.parts.size(), 1u);
  EXPECT_EQ(r.parts[0].head.name, "");
  EXPECT_EQ(r.parts[0].data, "no headers");
}

TEST(MultipartFormReaderTest, StopsWhenTheHandlerSaysSo) {
  Recorder r("file");
  MultipartFormReader reader("XyZ", &r);
  std::string body(kBody.substr(0, kBody.find("content-disposition: form-data; name=submit")));
  body += "\x01garbage without any boundary";
  EXPECT_TRUE(reader.Write(body));
  EXPECT_TRUE(reader.Complete());
  EXPECT_EQ(r.parts.size(), 2u);
}

TEST(MultipartFormReaderTest, RefusesMalformedBodies) {
  struct Case {
    std::string_view body;
    bool write_ok;
  };
  const Case cases[] = {
      {"--b\r\nContent-Disposition: form-data; name=\"k\"\r\n\r\nvalue", true},  // no end
      {"--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--", false},              // no disposition
      {"--bXX\r\n", false},  // junk after boundary
      {"--b\r\nno colon here\r\n\r\nv\r\n--b--", false},
      {"", true},
      {"key=value&file=x", true},
  };
  for (const Case& c : cases) {
    Recorder r;
    MultipartFormReader reader("b", &r);
    EXPECT_EQ(reader.Write(c.body), c.write_ok) << c.body;
    EXPECT_FALSE(reader.Complete()) << c.body;
  }
}

TEST(MultipartFormReaderTest, RefusesHugePartHeaders) {
  Recorder r;
  MultipartFormReader reader("b", &r);
  EXPECT_TRUE(reader.Write("--b\r\nContent-Disposition: form-data; name=\""));
  std::string filler(MultipartFormReader::kMaxPartHeaderBytes, 'x');
  EXPECT_FALSE(reader.Write(filler));
  EXPECT_FALSE(reader.Complete());
}

TEST(MultipartFormReaderTest, FindsTheBoundaryOfAContentType) {
  EXPECT_EQ(MultipartFormReader::BoundaryOf("multipart/form-data; boundary=abc").value_or(""),
            "abc");
  EXPECT_EQ(MultipartFormReader::BoundaryOf("Multipart/Form-Data;BOUNDARY=\"a b;c\"").value_or(""),
            "a b;c");
  EXPECT_EQ(MultipartFormReader::BoundaryOf("multipart/form-data; charset=utf-8; boundary=x")
                .value_or(""),
            "x");
  EXPECT_FALSE(MultipartFormReader::BoundaryOf("multipart/form-data"));
  EXPECT_FALSE(MultipartFormReader::BoundaryOf("multipart/form-data; boundary="));
  EXPECT_FALSE(MultipartFormReader::BoundaryOf("multipart/mixed; boundary=abc"));
  EXPECT_FALSE(
      MultipartFormReader::BoundaryOf("multipart/form-data; boundary=" + std::string(201, 'a')));
}

}  // namespace
}  // namespace tidepool::protocol
