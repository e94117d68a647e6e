// A fake transport behind an ApiCaller, for testing an API class's requests and parsing:
// derive, and construct the API classes under test from `caller`.
#pragma once

#include <memory>

#include "api_caller.hpp"
#include "dbk/testing/fake_transport.hpp"

struct FakeApiFixture {
  std::shared_ptr<dbk::testing::FakeTransport> fake =
      std::make_shared<dbk::testing::FakeTransport>();
  std::shared_ptr<dbk::detail::ApiCaller> caller =
      std::make_shared<dbk::detail::ApiCaller>("https://h", fake);

  /// How the index-th request sent declared itself: safe to replay, or not.
  dbk::Idempotency idempotency(std::size_t index) const {
    return fake->requests().at(index).idempotency;
  }
};
