#include "services/apigateway/resource_tree.h"

#include <gtest/gtest.h>

namespace tidepool::apigateway {
namespace {

ResourceTree PetTree() {
  ResourceTree tree;
  EXPECT_TRUE(tree.Add("/", "root").ok());
  EXPECT_TRUE(tree.Add("/pets", "pets").ok());
  EXPECT_TRUE(tree.Add("/pets/{petId}", "pet").ok());
  EXPECT_TRUE(tree.Add("/pets/mine", "mine").ok());
  EXPECT_TRUE(tree.Add("/pets/{petId}/toys", "toys").ok());
  EXPECT_TRUE(tree.Add("/{proxy+}", "proxy").ok());
  return tree;
}

TEST(ResourceTreeTest, LiteralBeatsParameterBeatsGreedy) {
  ResourceTree tree = PetTree();
  EXPECT_EQ(tree.Find("/")->resource_id, "root");
  EXPECT_EQ(tree.Find("/pets")->resource_id, "pets");
  EXPECT_EQ(tree.Find("/pets/")->resource_id, "pets");
  EXPECT_EQ(tree.Find("/pets/mine")->resource_id, "mine");
  auto pet = tree.Find("/pets/42");
  ASSERT_TRUE(pet);
  EXPECT_EQ(pet->resource_id, "pet");
  EXPECT_EQ(pet->resource_path, "/pets/{petId}");
  ASSERT_EQ(pet->path_parameters.size(), 1u);
  EXPECT_EQ(pet->path_parameters[0].first, "petId");
  EXPECT_EQ(pet->path_parameters[0].second, "42");
  EXPECT_EQ(tree.Find("/pets/42/toys")->resource_id, "toys");
}

TEST(ResourceTreeTest, GreedyTakesTheRestDecoded) {
  ResourceTree tree = PetTree();
  auto m = tree.Find("/pets/42/food/x%20y");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->resource_id, "proxy");
  ASSERT_EQ(m->path_parameters.size(), 1u);
  EXPECT_EQ(m->path_parameters[0].first, "proxy");
  EXPECT_EQ(m->path_parameters[0].second, "pets/42/food/x y");
}

TEST(ResourceTreeTest, NoMatchWithoutAResource) {
  ResourceTree tree;
  ASSERT_TRUE(tree.Add("/a/{b}", "b").ok());
  EXPECT_FALSE(tree.Find("/"));
  EXPECT_FALSE(tree.Find("/a"));
  EXPECT_FALSE(tree.Find("/a/b/c"));
}

TEST(ResourceTreeTest, RefusesMalformedPaths) {
  ResourceTree tree;
  EXPECT_FALSE(tree.Add("pets", "x").ok());
  EXPECT_FALSE(tree.Add("/{proxy+}/more", "x").ok());
  EXPECT_FALSE(tree.Add("/a//b", "x").ok());
  EXPECT_FALSE(tree.Add("/a{b", "x").ok());
}

}  // namespace
}  // namespace tidepool::apigateway
