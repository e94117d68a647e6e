#pragma once

#include <string>
#include <utility>
#include <vector>

#include "dbk/api_error.hpp"
#include "dbk/result.hpp"

namespace dbk::detail {

/// Every item of a listing paged by next_page_token: `fetch(token)` returns one page (a
/// struct with `next_page_token`), `items(page)` its items, moved out. `what` names the
/// endpoint in the error for a server that hands back the token it was given (which would
/// loop forever).
template <typename Item, typename Fetch, typename Items>
Result<std::vector<Item>> all_token_pages(const std::string& what, Fetch fetch, Items items) {
  std::vector<Item> all;
  std::string token;
  do {
    auto page = fetch(token);
    if (!page) return std::move(page).error();
    if (!page->next_page_token.empty() && page->next_page_token == token) {
      return make_error(error_codes::kInvalidResponse,
                        what + " returned the same next_page_token twice");
    }
    for (auto& item : items(*page)) all.push_back(std::move(item));
    token = page->next_page_token;
  } while (!token.empty());
  return all;
}

}  // namespace dbk::detail
