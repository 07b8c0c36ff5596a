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


// Spreadsheet exports end lines in CRLF and quote their fields: the CR is never part of a field,
// whatever its type, position or quoting, on the byte-at-a-time path (lines under 16 bytes) and
// the 16-byte one (padded lines), while a CRLF inside quotes stays data.
TEST(CsvReader, CrlfNeverReachesAFieldOfAnyTypeQuotedOrNotInAnyPosition) {
  struct Typed {
    TypeKind kind;
    const char* text;
  };
  const Typed values[] = {{TypeKind::String, "EU"}, {TypeKind::Int, "42"}, {TypeKind::Float, "2.5"},
                          {TypeKind::Bool, "true"}, {TypeKind::Timestamp, "2026-01-01T10:00:00Z"},
                          {TypeKind::Duration, "90s"}};
  for (const Typed& v : values) {
    for (size_t position = 0; position < 3; ++position) {
      for (bool quoted : {false, true}) {
        for (bool long_line : {false, true}) {
          std::vector<FieldSpec> fields;
          std::string header, row;
          for (size_t f = 0; f < 3; ++f) {
            bool target = f == position;
            std::string name = "f" + std::to_string(f);
            fields.push_back({name, Type::of(target ? v.kind : TypeKind::String)});
            std::string text = target ? v.text : (long_line ? std::string(20, 'p') : "p");
            header += (f ? "," : "") + name;
            row += (f ? "," : "") + (target && quoted ? csv_quote(text) : text);
          }
          std::string input = header + "\r\n" + row + "\r\n" + row + "\r\n";
          std::vector<RejectedRow> rejects;
          auto batches = read_all(input, InputFormat::Csv, fields, &rejects);
          std::string trace = std::string(type_kind_name(v.kind)) + " at " + std::to_string(position) +
                              (quoted ? " quoted" : " plain") + (long_line ? " long" : " short");
          ASSERT_TRUE(rejects.empty()) << trace << ": " << rejects.front().reason;
          ASSERT_EQ(batches.size(), 1u) << trace;
          ASSERT_EQ(batches[0].rows, 2u) << trace;
          for (size_t r = 0; r < 2; ++r) {
            Value got = batches[0].value_at(position, r);
            std::string expected_text = v.text;
            if (v.kind == TypeKind::String) { EXPECT_EQ(got.s, expected_text) << trace; }
            if (v.kind == TypeKind::Int) { EXPECT_EQ(got.i, 42) << trace; }
            if (v.kind == TypeKind::Float) { EXPECT_EQ(got.f, 2.5) << trace; }
            if (v.kind == TypeKind::Bool) { EXPECT_TRUE(got.b) << trace; }
            if (v.kind == TypeKind::Duration) { EXPECT_EQ(got.i, 90'000'000'000) << trace; }
            if (v.kind == TypeKind::Timestamp) { EXPECT_EQ(got.i, 1'767'261'600'000'000'000) << trace; }
            for (size_t f = 0; f < 3; ++f) {
              if (f != position) { EXPECT_EQ(batches[0].value_at(f, r).s.back(), 'p') << trace; }
            }
          }
          EXPECT_EQ(batches[0].line_numbers, (std::vector<uint64_t>{2, 3})) << trace;
        }
      }
    }
  }
  std::vector<FieldSpec> fields{{"a", Type::of(TypeKind::String)}, {"b", Type::of(TypeKind::String)}};
  std::vector<RejectedRow> rejects;
  auto batches = read_all("a,b\r\n\"x\r\ny\",\"z\"\r\n\"\r\",q\r\n", InputFormat::Csv, fields, &rejects);
  ASSERT_TRUE(rejects.empty());
  ASSERT_EQ(batches[0].rows, 2u);
  EXPECT_EQ(batches[0].value_at(0, 0).s, "x\r\ny");  // inside quotes: data
  EXPECT_EQ(batches[0].value_at(1, 0).s, "z");
  EXPECT_EQ(batches[0].value_at(0, 1).s, "\r");
  EXPECT_EQ(batches[0].value_at(1, 1).s, "q");
}

// Alerts are UTF-8 JSON: a string field that is not UTF-8 rejects its row with the reason, in a
// plain line on either path, in a quoted field and in JSON Lines; valid multi-byte text passes.
TEST(Readers, AFieldThatIsNotUtf8RejectsItsRowWithTheReason) {
  std::vector<FieldSpec> fields{{"id", Type::of(TypeKind::Int)}, {"name", Type::of(TypeKind::String)}};
  const std::string bad[] = {"\xff", "ab\xc3", "\xed\xa0\x80", "\xc0\xaf", std::string(30, 'x') + "\xfe"};
  for (const std::string& b : bad) {
    for (bool quoted : {false, true}) {
      std::string input = "id,name\n1,Zürich\n2," + (quoted ? csv_quote(b) : b) + "\n3,日本\n";
      std::vector<RejectedRow> rejects;
      auto batches = read_all(input, InputFormat::Csv, fields, &rejects);
      ASSERT_EQ(rejects.size(), 1u);
      EXPECT_EQ(rejects[0].line, 3u);
      EXPECT_EQ(rejects[0].reason, "field 'name': not valid UTF-8");
      ASSERT_EQ(batches.size(), 1u);
      ASSERT_EQ(batches[0].rows, 2u);
      EXPECT_EQ(batches[0].value_at(1, 0).s, "Zürich");
      EXPECT_EQ(batches[0].value_at(1, 1).s, "日本");
    }
    std::vector<RejectedRow> rejects;
    auto batches = read_all("{\"id\": 1, \"name\": \"" + b + "\"}\n{\"id\": 2, \"name\": \"ok\"}\n",
                            InputFormat::JsonLines, fields, &rejects);
    ASSERT_EQ(rejects.size(), 1u);
    EXPECT_EQ(rejects[0].line, 1u);
    ASSERT_EQ(batches.size(), 1u);
    EXPECT_EQ(batches[0].rows, 1u);
  }
}

// --strict: the reader stops right after the first rejected row; the batch holds the rows
// before it and nothing after it is read, whatever the batch size.
TEST(CsvReader, StopAtRejectEndsTheInputAtTheFirstRejectedRow) {
  std::vector<FieldSpec> fields{{"id", Type::of(TypeKind::Int)}};
  for (size_t batch_size : {1, 2, 7, 4096}) {
    auto reader = make_reader(std::make_unique<std::istringstream>("id\n1\n2\nx\n4\ny\n"), "mem", InputFormat::Csv, 0,
                              fields, nullptr);
    reader->set_stop_at_reject(true);
    std::vector<int64_t> ids;
    Batch b;
    while (true) {
      auto more = reader->next(b, batch_size);
      ASSERT_TRUE(more.ok());
      for (size_t i = 0; i < b.rows; ++i) ids.push_back(b.value_at(0, i).i);
      if (!more.value()) break;
    }
    EXPECT_EQ(ids, (std::vector<int64_t>{1, 2})) << batch_size;
    EXPECT_EQ(reader->rows_rejected(), 1u);
  }
}

}  // namespace
}  // namespace alert
