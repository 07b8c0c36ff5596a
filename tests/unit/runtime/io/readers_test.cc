// The readers against a plain reference: random RFC 4180 input of several megabytes (so records
// straddle the reader's 1 MB buffer) with quotes, doubled quotes, commas and newlines inside
// quotes, CRLF and blank lines must read back exactly the fields that were written, with the
// right line numbers on rejects.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "alert/reader.h"

namespace alert {
namespace {

std::string csv_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::vector<Batch> read_all(const std::string& text, InputFormat format, const std::vector<FieldSpec>& fields,
                            std::vector<RejectedRow>* rejects, size_t batch_size = 1000) {
  auto reader = make_reader(std::make_unique<std::istringstream>(text), "mem", format, 0, fields,
                            [&](const RejectedRow& r) { rejects->push_back(r); });
  std::vector<Batch> out;
  while (true) {
    Batch b;
    auto more = reader->next(b, batch_size);
    EXPECT_TRUE(more.ok());
    if (b.rows) out.push_back(std::move(b));
    if (!more.ok() || !more.value()) break;
  }
  return out;
}

TEST(CsvReader, RandomQuotedRecordsAcrossBufferBoundariesReadBackExactly) {
  std::mt19937 rng(7);
  std::vector<FieldSpec> fields{{"id", Type::of(TypeKind::Int)}, {"text", Type::of(TypeKind::String)},
                                {"note", Type::of(TypeKind::String, true)}};
  const char* pieces[] = {"a", "b,c", "\"", "\n", "\r\n", "ü", " ", "x\"y", ",", "long-text-"};
  std::string input = "id,text,note\r\n";
  std::vector<std::pair<std::string, std::string>> expected;
  while (input.size() < 3'500'000) {
    std::string text, note;
    int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) text += pieces[rng() % 10];
    if (rng() % 50 == 0) text += std::string(200'000, 'z');  // a record longer than a refill's margin
    bool plain = text.find_first_of(",\"\r\n") == std::string::npos && !text.empty();
    note = std::to_string(rng() % 1000);
    input += std::to_string(expected.size()) + "," + (plain ? text : csv_quote(text)) + "," + note;
    input += rng() % 2 ? "\r\n" : "\n";
    expected.emplace_back(text, note);
  }
  std::vector<RejectedRow> rejects;
  auto batches = read_all(input, InputFormat::Csv, fields, &rejects);
  EXPECT_TRUE(rejects.empty()) << rejects.front().line << ": " << rejects.front().reason;
  size_t row = 0;
  for (const Batch& b : batches) {
    for (size_t i = 0; i < b.rows; ++i, ++row) {
      ASSERT_LT(row, expected.size());
      ASSERT_EQ(b.value_at(0, i).i, static_cast<int64_t>(row));
      ASSERT_EQ(b.value_at(1, i).s, expected[row].first) << "row " << row;
      ASSERT_EQ(b.value_at(2, i).s, expected[row].second);
    }
  }
  EXPECT_EQ(row, expected.size());
}

// Plain lines are split 16 bytes at a time: fields of every length put commas at every
// position around the 16-byte steps, and a quote after the first 16 bytes must still send the
// line to the quoted path.
TEST(CsvReader, PlainLinesSplitAtEveryCommaPositionAndLateQuotesAreHonoured) {
  std::vector<FieldSpec> fields{{"a", Type::of(TypeKind::String, true)}, {"b", Type::of(TypeKind::String, true)},
                                {"c", Type::of(TypeKind::String, true)}, {"d", Type::of(TypeKind::String, true)}};
  std::string input = "a,b,c,d\n";
  std::vector<std::vector<std::string>> expected;
  for (size_t la = 0; la < 20; ++la) {
    for (size_t lb = 0; lb < 34; lb += 3) {
      std::string a(la, 'a'), b(lb, 'b'), c = "c" + std::to_string(la), d = la % 5 ? "" : "d,\"q\"";
      input += a + "," + b + "," + c + "," + (d.empty() ? "" : csv_quote(d)) + "\n";
      expected.push_back({a, b, c, d});
    }
  }
  std::vector<RejectedRow> rejects;
  auto batches = read_all(input, InputFormat::Csv, fields, &rejects, 7);
  EXPECT_TRUE(rejects.empty());
  size_t row = 0;
  for (const Batch& batch : batches) {
    for (size_t i = 0; i < batch.rows; ++i, ++row) {
      ASSERT_LT(row, expected.size());
      for (size_t f = 0; f < 4; ++f) {
        Value v = batch.value_at(f, i);
        // An unquoted empty field is null; the rest read back exactly.
        if (expected[row][f].empty()) {
          EXPECT_TRUE(v.is_null()) << "row " << row << " field " << f;
        } else {
          EXPECT_EQ(v.s, expected[row][f]) << "row " << row << " field " << f;
        }
      }
    }
  }
  EXPECT_EQ(row, expected.size());
}

TEST(CsvReader, LineNumbersCountNewlinesInsideQuotesAndBlankLines) {
  std::vector<FieldSpec> fields{{"a", Type::of(TypeKind::Int)}, {"b", Type::of(TypeKind::String)}};
  std::vector<RejectedRow> rejects;
  std::string input = "\xEF\xBB\xBF" "a,b\n1,\"two\nlines\"\n\nx,y\n3,\"unterminated";
  auto batches = read_all(input, InputFormat::Csv, fields, &rejects);
  ASSERT_EQ(batches.size(), 1u);
  ASSERT_EQ(batches[0].rows, 2u);
  EXPECT_EQ(batches[0].value_at(1, 0).s, "two\nlines");
  EXPECT_EQ(batches[0].value_at(1, 1).s, "unterminated");  // the quote runs to the end of input
  EXPECT_EQ(batches[0].line_numbers[1], 6u);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].line, 5u);
  EXPECT_EQ(rejects[0].raw, "x,y");
}

TEST(CsvReader, WrongFieldCountAndNullInRequiredFieldAreRejectedNotFatal) {
  std::vector<FieldSpec> fields{{"a", Type::of(TypeKind::Int)}, {"b", Type::of(TypeKind::Float)}};
  std::vector<RejectedRow> rejects;
  auto batches = read_all("a,b\n1,2\n1,2,3\n,4\n5,6\n", InputFormat::Csv, fields, &rejects);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].rows, 2u);
  ASSERT_EQ(rejects.size(), 2u);
  EXPECT_NE(rejects[0].reason.find("expected 2 fields, found 3"), std::string::npos);
  EXPECT_NE(rejects[1].reason.find("null in non-nullable field 'a'"), std::string::npos);
}

TEST(JsonLinesReader, ManyLinesAcrossBufferBoundariesAndBrokenLines) {
  std::vector<FieldSpec> fields{{"n", Type::of(TypeKind::Int)}, {"s", Type::of(TypeKind::String, true)},
                                {"t", Type::of(TypeKind::Timestamp, true)}};
  std::string input;
  int broken = 0;
  int n = 0;
  while (input.size() < 3'000'000) {
    if (n % 997 == 0) {
      input += "{\"n\": 1, \"s\": \n";  // broken JSON
      ++broken;
    } else {
      input += "{\"n\": " + std::to_string(n) + ", \"s\": \"line \\\"" + std::to_string(n) +
               "\\\"\", \"t\": \"2026-01-01T00:00:00Z\", \"extra\": [1, 2]}\r\n";
    }
    ++n;
  }
  std::vector<RejectedRow> rejects;
  auto batches = read_all(input, InputFormat::JsonLines, fields, &rejects, 4096);
  size_t rows = 0;
  for (const Batch& b : batches) {
    for (size_t i = 0; i < b.rows; ++i) {
      int64_t v = b.value_at(0, i).i;
      ASSERT_EQ(b.value_at(1, i).s, "line \"" + std::to_string(v) + "\"");
      ASSERT_EQ(b.line_numbers[i], static_cast<uint64_t>(v + 1));
      ++rows;
    }
  }
  EXPECT_EQ(rows + broken, static_cast<size_t>(n));
  ASSERT_EQ(rejects.size(), static_cast<size_t>(broken));
  EXPECT_EQ(rejects[1].line, 998u);
}

}  // namespace
}  // namespace alert
