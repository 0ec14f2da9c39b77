#include "services/dynamodb/partiql.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace tidepool::dynamodb {
namespace {

std::string Where(const PartiqlStatement& st) {
  std::vector<const PartiqlStatement::Term*> terms;
  for (const auto& t : st.where) terms.push_back(&t);
  return JoinTerms(terms);
}

TEST(PartiqlTest, SelectWithKeyTermsAndParameters) {
  json::array params = json::parse(R"([{"S":"a"}])").as_array();
  auto st =
      ParsePartiql(R"(select "x", y.z[2] FROM "Music"."ix" WHERE Artist = ? AND n >= 5)", &params);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->kind, PartiqlStatement::kSelect);
  EXPECT_EQ(st->table, "Music");
  EXPECT_EQ(st->index, "ix");
  // A nested path projects its top-level attribute; the path itself is answered under its
  // last name.
  EXPECT_EQ(st->projection, "#p0, #p1");
  ASSERT_EQ(st->nested_projection.size(), 2u);
  EXPECT_EQ(st->nested_projection[1].key, "z[2]");
  ASSERT_EQ(st->where.size(), 2u);
  EXPECT_EQ(st->where[0].attribute, "Artist");
  EXPECT_EQ(st->where[0].comparator, "=");
  EXPECT_EQ(st->where[0].equal_to, json::parse(R"({"S":"a"})"));
  EXPECT_EQ(st->where[1].comparator, ">=");
  EXPECT_EQ(Where(*st), "(#p3 = :p0) AND (#p4 >= :p1)");
  EXPECT_EQ(st->values.at(":p1"), json::parse(R"({"N":"5"})"));
}

TEST(PartiqlTest, OrIsOneTerm) {
  auto st = ParsePartiql("SELECT * FROM t WHERE a = 1 OR b IN [1, 'x'] AND c IS MISSING", nullptr);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  ASSERT_EQ(st->where.size(), 1u);
  EXPECT_TRUE(st->where[0].attribute.empty());
  EXPECT_EQ(Where(*st), "(#p0 = :p0 OR #p1 IN (:p1, :p2) AND attribute_not_exists(#p2))");
}

TEST(PartiqlTest, MissingComparesWithEqualityOnly) {
  auto st = ParsePartiql("SELECT * FROM t WHERE a = MISSING AND MISSING <> b.c AND d != missing",
                         nullptr);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(Where(*st),
            "(attribute_not_exists(#p0)) AND (attribute_exists(#p1.#p2)) AND "
            "(attribute_exists(#p3))");
  // A quoted "MISSING" is an attribute of that name.
  auto quoted = ParsePartiql(R"(SELECT * FROM t WHERE "MISSING" = 1)", nullptr);
  ASSERT_TRUE(quoted.ok()) << quoted.status().ToString();
  EXPECT_EQ(quoted->names.at("#p0").as_string(), "MISSING");
  for (const char* bad :
       {"SELECT * FROM t WHERE a < MISSING", "SELECT * FROM t WHERE 1 = MISSING",
        "SELECT * FROM t WHERE MISSING = MISSING", "SELECT * FROM t WHERE size(a) = MISSING",
        "SELECT * FROM t WHERE MISSING BETWEEN 1 AND 2", "SELECT * FROM t WHERE a IN [MISSING]",
        "UPDATE t SET a = MISSING WHERE pk = 'k'"}) {
    auto refused = ParsePartiql(bad, nullptr);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.status().message().find("MISSING can only be tested"), std::string::npos)
        << refused.status().message();
  }
}

TEST(PartiqlTest, InsertUpdateDelete) {
  auto ins = ParsePartiql("INSERT INTO \"t\" VALUE {'pk': 'k', 'l': [1, TRUE], 's': <<'a','b'>>}",
                          nullptr);
  ASSERT_TRUE(ins.ok()) << ins.status().ToString();
  EXPECT_EQ(json::value(ins->item),
            json::parse(R"({"pk":{"S":"k"},"l":{"L":[{"N":"1"},{"BOOL":true}]},
                            "s":{"SS":["a","b"]}})"));
  auto upd = ParsePartiql(
      "UPDATE t SET a = a + 1 SET b = set_add(b, <<1>>) REMOVE c WHERE pk = 'k' RETURNING "
      "MODIFIED OLD *",
      nullptr);
  ASSERT_TRUE(upd.ok()) << upd.status().ToString();
  EXPECT_EQ(upd->update, "SET #p0 = #p0 + :p0 REMOVE #p2 ADD #p1 :p1");
  EXPECT_EQ(upd->returning, "UPDATED_OLD");
  auto del = ParsePartiql("DELETE FROM t WHERE pk = 'k' RETURNING ALL OLD *", nullptr);
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->returning, "ALL_OLD");
}

TEST(PartiqlTest, Errors) {
  json::array one = json::parse(R"([{"S":"a"}])").as_array();
  EXPECT_EQ(ParsePartiql("SELECT * FROM t WHERE a = ?", nullptr).status().message(),
            "Number of parameters in request and statement don't match.");
  EXPECT_EQ(ParsePartiql("SELECT * FROM t", &one).status().message(),
            "Number of parameters in request and statement don't match.");
  EXPECT_EQ(ParsePartiql("SELECT * FROM", nullptr).status().message(),
            "Statement wasn't well formed, can't be processed: Unexpected end of statement");
  EXPECT_FALSE(ParsePartiql("UPDATE t WHERE a = 1", nullptr).ok());
  EXPECT_FALSE(ParsePartiql("DELETE FROM t", nullptr).ok());
  EXPECT_FALSE(ParsePartiql("SELECT * FROM t WHERE a = 'x", nullptr).ok());
  EXPECT_FALSE(ParsePartiql(std::string(200, '('), nullptr).ok());
}

TEST(PartiqlTest, OrderByAndExists) {
  auto st = ParsePartiql(R"(SELECT * FROM t WHERE pk = 'a' ORDER BY "sk" DESC)", nullptr);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  ASSERT_EQ(st->order_by.size(), 1u);
  EXPECT_EQ(st->order_by[0].first, "sk");
  EXPECT_TRUE(st->order_by[0].second);
  auto asc = ParsePartiql("SELECT * FROM t WHERE pk = 'a' ORDER BY sk", nullptr);
  ASSERT_TRUE(asc.ok());
  EXPECT_FALSE(asc->order_by[0].second);
  auto two = ParsePartiql("SELECT * FROM t WHERE pk = 'a' ORDER BY pk ASC, sk DESC", nullptr);
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  ASSERT_EQ(two->order_by.size(), 2u);
  EXPECT_EQ(two->order_by[1], std::make_pair(std::string("sk"), true));
  EXPECT_FALSE(ParsePartiql("SELECT * FROM t ORDER sk", nullptr).ok());
  auto ex = ParsePartiql("EXISTS(SELECT * FROM t WHERE pk = 'a')", nullptr);
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  EXPECT_EQ(ex->kind, PartiqlStatement::kExists);
  EXPECT_FALSE(ParsePartiql("EXISTS(SELECT * FROM t WHERE pk = 'a'", nullptr).ok());
  EXPECT_FALSE(ParsePartiql("EXISTS(DELETE FROM t WHERE pk = 'a')", nullptr).ok());
}

TEST(PartiqlTest, CommentsAreWhiteSpace) {
  auto st =
      ParsePartiql("-- first\nSELECT * FROM t /* the table */ WHERE pk = 'a' -- last", nullptr);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->table, "t");
  ASSERT_EQ(st->where.size(), 1u);
  EXPECT_FALSE(ParsePartiql("SELECT * FROM t /* open", nullptr).ok());
  EXPECT_FALSE(ParsePartiql("SELECT * FROM t # hash", nullptr).ok());
}

TEST(PartiqlTest, NestedProjectionAnswersTheLastName) {
  auto st = ParsePartiql(R"(SELECT m.b[0], "c", m.d.e, l[1][2] FROM t)", nullptr);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  ASSERT_EQ(st->nested_projection.size(), 4u);
  EXPECT_EQ(st->nested_projection[0].key, "b[0]");
  EXPECT_EQ(st->nested_projection[1].key, "c");
  EXPECT_EQ(st->nested_projection[2].key, "e");
  EXPECT_EQ(st->nested_projection[3].key, "l[1][2]");
  // The ProjectionExpression reads the top-level attributes whole, once each.
  EXPECT_EQ(st->projection, "#p0, #p2, #p5");
  EXPECT_EQ(st->names["#p5"], "l");
  json::object read = json::parse(R"({"m": {"M": {"b": {"L": [{"S": "zero"}]},
      "d": {"M": {"e": {"N": "5"}}}}}, "c": {"S": "top"}})")
                          .as_object();
  EXPECT_EQ(json::value(ProjectItem(read, st->nested_projection)),
            json::parse(R"({"b[0]": {"S": "zero"}, "c": {"S": "top"}, "e": {"N": "5"}})"));
  // Top-level names only: the projection is answered as read.
  auto flat = ParsePartiql("SELECT a, b FROM t", nullptr);
  ASSERT_TRUE(flat.ok());
  EXPECT_TRUE(flat->nested_projection.empty());
}

}  // namespace
}  // namespace tidepool::dynamodb
