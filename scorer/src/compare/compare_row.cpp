#include "compare/compare_row.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "cell_text.hpp"

namespace dbk::scorer::detail {
namespace {

// Spill files never leave the process that wrote them, so values are stored in its byte order.
template <typename T>
void put(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}

template <typename T>
bool get(std::string_view& in, T& v) {
  if (in.size() < sizeof(T)) return false;
  std::memcpy(&v, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return true;
}

bool canonical_integer(std::string_view s) {
  std::size_t i = s.size() > 1 && s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  if (s[i] == '0') return s.size() == 1;  // "0" only: no "-0", no leading zeros
  for (std::size_t k = i; k < s.size(); ++k) {
    if (s[k] < '0' || s[k] > '9') return false;
  }
  return true;
}

int sign(int v) {
  return (v > 0) - (v < 0);
}

int compare_part(std::string_view a, std::string_view b) {
  auto rank = [](std::string_view s) { return s == "\x1e" ? 0 : canonical_integer(s) ? 1 : 2; };
  const int ra = rank(a);
  const int rb = rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra == 1) {
    const bool na = a[0] == '-';
    const bool nb = b[0] == '-';
    if (na != nb) return na ? -1 : 1;
    // Same sign, no leading zeros: more digits is larger in magnitude.
    int magnitude = a.size() != b.size() ? (a.size() < b.size() ? -1 : 1) : sign(a.compare(b));
    return na ? -magnitude : magnitude;
  }
  return sign(a.compare(b));
}

}  // namespace

void encode_row(const CompareRow& row, std::string& out) {
  put(out, static_cast<std::uint8_t>(row.side));
  put(out, static_cast<std::uint32_t>(row.key.size()));
  out += row.key;
  put(out, row.seq);
  put(out, row.row);
  put(out, static_cast<std::uint8_t>(row.prediction_null));
  put(out, row.prediction);
  put(out, static_cast<std::uint8_t>(row.probability_state));
  put(out, static_cast<std::uint32_t>(row.probability.size()));
  for (double v : row.probability) put(out, v);
}

bool decode_row(std::string_view& in, CompareRow& row) {
  std::uint8_t side = 0;
  std::uint32_t key_size = 0;
  if (!get(in, side) || side > 1 || !get(in, key_size) || in.size() < key_size) return false;
  row.side = static_cast<Side>(side);
  row.key.assign(in.data(), key_size);
  in.remove_prefix(key_size);
  std::uint8_t null = 0;
  std::uint8_t state = 0;
  std::uint32_t width = 0;
  if (!get(in, row.seq) || !get(in, row.row) || !get(in, null) || !get(in, row.prediction) ||
      !get(in, state) || state > 2 || !get(in, width) || in.size() / sizeof(double) < width) {
    return false;
  }
  row.prediction_null = null != 0;
  row.probability_state = static_cast<CompareRow::Vector>(state);
  row.probability.resize(width);
  for (auto& v : row.probability) get(in, v);
  return true;
}

std::size_t row_footprint(const CompareRow& row) {
  return sizeof(CompareRow) + row.key.capacity() + row.probability.capacity() * sizeof(double);
}

int compare_keys(std::string_view a, std::string_view b) {
  while (true) {
    const std::size_t ea = std::min(a.find('\x1f'), a.size());
    const std::size_t eb = std::min(b.find('\x1f'), b.size());
    if (int c = compare_part(a.substr(0, ea), b.substr(0, eb)); c != 0) return c;
    const bool more_a = ea < a.size();
    const bool more_b = eb < b.size();
    if (!more_a || !more_b) return more_a == more_b ? 0 : (more_a ? 1 : -1);
    a.remove_prefix(ea + 1);
    b.remove_prefix(eb + 1);
  }
}

Tally::Tally(const CompareOptions& options, CompareReport& report)
    : options_(options), report_(report) {}

// The rules of a hash join that keeps each key's first expected row: extra expected rows of a
// key are duplicates never matched, extra scored rows are duplicates compared with that row.
void Tally::key_group(const std::vector<const CompareRow*>& expected,
                      const std::vector<const CompareRow*>& scored) {
  if (expected.empty()) {
    report_.missing_in_expected += scored.size();
    return;
  }
  report_.duplicate_keys += expected.size() - 1;
  report_.missing_in_scored += expected.size() - 1;
  if (scored.empty()) {
    ++report_.missing_in_scored;
    return;
  }
  report_.duplicate_keys += scored.size() - 1;
  for (const CompareRow* s : scored) compare(*s, *expected.front());
}

void Tally::compare(const CompareRow& s, const CompareRow& e) {
  ++report_.rows_compared;
  const bool snull = s.prediction_null;
  const bool enull = e.prediction_null;
  const double a = s.prediction;
  const double b = enull ? 0.0 : e.prediction;
  bool same =
      (snull && enull) || (!snull && !enull && (a == b || (std::isnan(a) && std::isnan(b))));
  if (!same) {
    ++report_.prediction_mismatches;
    add_example(s.seq, 0, [&] {
      return "row " + std::to_string(s.row) + ": prediction " +
             (snull ? "null" : format_double(a)) + ", expected " +
             (enull ? "null" : format_double(b));
    });
  }
  if (!probability_) return;
  const bool pnull = s.probability_state == CompareRow::Vector::kNull;
  const bool ok = e.probability_state == CompareRow::Vector::kValues;
  const auto& ev = e.probability;
  double diff = 0;
  if (pnull || !ok || ev.size() != s.probability.size()) {
    diff = (pnull && e.probability_state == CompareRow::Vector::kNull) ? 0 : HUGE_VAL;
  } else {
    for (std::size_t k = 0; k < ev.size(); ++k) {
      double d = std::fabs(s.probability[k] - ev[k]);
      if (std::isnan(d)) d = (std::isnan(s.probability[k]) && std::isnan(ev[k])) ? 0 : HUGE_VAL;
      diff = std::max(diff, d);
    }
  }
  report_.max_probability_diff = std::max(report_.max_probability_diff, diff);
  if (diff > options_.probability_tolerance) {
    ++report_.probability_mismatches;
    add_example(s.seq, 1, [&] {
      return "row " + std::to_string(s.row) + ": probability differs by " + format_double(diff);
    });
  }
}

void Tally::trim() {
  std::sort(examples_.begin(), examples_.end(), [](const Example& x, const Example& y) {
    return x.seq != y.seq ? x.seq < y.seq : x.part < y.part;
  });
  if (examples_.size() >= options_.max_examples) {
    examples_.resize(options_.max_examples);
    has_cutoff_ = true;
    cutoff_seq_ = examples_.back().seq;
    cutoff_part_ = examples_.back().part;
  }
}

void Tally::finish() {
  trim();
  for (auto& e : examples_) report_.examples.push_back(std::move(e.text));
  examples_.clear();
}

}  // namespace dbk::scorer::detail
