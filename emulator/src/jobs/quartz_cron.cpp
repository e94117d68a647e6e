#include "jobs/quartz_cron.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <sstream>

#include "http/request.hpp"

namespace dbk::emulator {
namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream stream(text);
  while (std::getline(stream, part, separator)) parts.push_back(part);
  if (!text.empty() && text.back() == separator) parts.emplace_back();
  return parts;
}

std::string upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

const char* const kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                   "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
const char* const kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

/// A number or (for months and days of week) a three-letter name.
std::optional<int> parse_value(const std::string& text, int field) {
  if (text.empty()) return std::nullopt;
  if (std::all_of(text.begin(), text.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    if (text.size() > 4) return std::nullopt;
    return std::stoi(text);
  }
  if (field == 4) {
    for (int i = 0; i < 12; ++i)
      if (text == kMonthNames[i]) return i + 1;
  }
  if (field == 5) {
    for (int i = 0; i < 7; ++i)
      if (text == kDayNames[i]) return i + 1;
  }
  return std::nullopt;
}

/// Sets bits for one comma-separated list of `*`, `a`, `a-b`, `*/n`, `a/n`, `a-b/n`.
template <typename Bits>
bool parse_list(const std::string& text, int field, int low, int high, Bits& bits) {
  for (const auto& item : split(text, ',')) {
    if (item.empty()) return false;
    std::string range = item;
    int step = 1;
    if (auto slash = item.find('/'); slash != std::string::npos) {
      range = item.substr(0, slash);
      auto step_value = parse_value(item.substr(slash + 1), 0);
      if (!step_value || *step_value <= 0) return false;
      step = *step_value;
    }
    int from = low;
    int to = high;
    if (range == "*" || range == "?") {
      // whole range
    } else if (auto dash = range.find('-'); dash != std::string::npos) {
      auto a = parse_value(range.substr(0, dash), field);
      auto b = parse_value(range.substr(dash + 1), field);
      if (!a || !b) return false;
      from = *a;
      to = *b;
    } else {
      auto a = parse_value(range, field);
      if (!a) return false;
      from = *a;
      to = item.find('/') != std::string::npos ? high : *a;
    }
    if (from < low || from > high || to < low || to > high) return false;
    if (from <= to) {
      for (int v = from; v <= to; v += step) bits.set(static_cast<std::size_t>(v));
    } else {  // wrap-around range such as FRI-MON or 22-2
      int span = (high - low + 1);
      for (int i = 0; i <= (to - from + span) % span; i += step) {
        bits.set(static_cast<std::size_t>(low + (from - low + i) % span));
      }
    }
  }
  return true;
}

std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

int days_in_month(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

/// 1 = Sunday ... 7 = Saturday.
int day_of_week(int y, int m, int d) {
  std::int64_t days = days_from_civil(y, m, d);
  return static_cast<int>(((days + 4) % 7 + 7) % 7) + 1;
}

/// TZ is process-global; every conversion through it is serialised here.
std::mutex& tz_mutex() {
  static std::mutex mutex;
  return mutex;
}

/// Sets TZ for the lifetime of the object (caller holds tz_mutex) and restores it after.
class ScopedTimezone {
 public:
  explicit ScopedTimezone(const std::string& zone) {
    if (const char* old = std::getenv("TZ")) saved_ = old;
    setenv("TZ", zone == "UTC" || zone == "GMT" ? "UTC0" : (":" + zone).c_str(), 1);
    tzset();
  }
  ~ScopedTimezone() {
    if (saved_) {
      setenv("TZ", saved_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }

 private:
  std::optional<std::string> saved_;
};

}  // namespace

bool QuartzCron::known_timezone(const std::string& timezone_id) {
  if (timezone_id == "UTC" || timezone_id == "GMT") return true;
  if (timezone_id.empty() || timezone_id.find("..") != std::string::npos ||
      timezone_id.front() == '/')
    return false;
  std::error_code ec;
  return std::filesystem::is_regular_file("/usr/share/zoneinfo/" + timezone_id, ec);
}

Result<QuartzCron> QuartzCron::parse(const std::string& expression) {
  auto fail = [&](const std::string& why) {
    return invalid_parameter("Invalid Quartz Cron Expression: '" + expression + "' (" + why + ")");
  };
  std::vector<std::string> fields;
  {
    std::istringstream stream(upper(expression));
    std::string field;
    while (stream >> field) fields.push_back(field);
  }
  if (fields.size() != 6 && fields.size() != 7) return fail("expected 6 or 7 fields");

  QuartzCron cron;
  if (!parse_list(fields[0], 0, 0, 59, cron.seconds_)) return fail("seconds");
  if (!parse_list(fields[1], 1, 0, 59, cron.minutes_)) return fail("minutes");
  if (!parse_list(fields[2], 2, 0, 23, cron.hours_)) return fail("hours");
  if (!parse_list(fields[4], 4, 1, 12, cron.months_)) return fail("month");

  const std::string& dom = fields[3];
  const std::string& dow = fields[5];
  if (dom == "?" || dom == "*") {
    cron.any_day_of_month_ = true;
  } else if (dom == "L") {
    cron.last_day_of_month_ = true;
  } else if (dom.rfind("L-", 0) == 0) {
    auto offset = parse_value(dom.substr(2), 0);
    if (!offset || *offset > 30) return fail("day-of-month");
    cron.last_day_of_month_ = true;
    cron.last_day_offset_ = *offset;
  } else if (dom == "LW") {
    cron.last_weekday_of_month_ = true;
  } else if (dom.size() > 1 && dom.back() == 'W') {
    auto day = parse_value(dom.substr(0, dom.size() - 1), 0);
    if (!day || *day < 1 || *day > 31) return fail("day-of-month");
    cron.nearest_weekday_to_ = *day;
  } else if (!parse_list(dom, 3, 1, 31, cron.days_of_month_)) {
    return fail("day-of-month");
  }

  if (dow == "?" || dow == "*") {
    cron.any_day_of_week_ = true;
  } else if (auto hash = dow.find('#'); hash != std::string::npos) {
    auto day = parse_value(dow.substr(0, hash), 5);
    auto n = parse_value(dow.substr(hash + 1), 0);
    if (!day || !n || *day < 1 || *day > 7 || *n < 1 || *n > 5) return fail("day-of-week");
    cron.nth_weekday_ = *day;
    cron.nth_weekday_n_ = *n;
  } else if (dow.size() > 1 && dow.back() == 'L') {
    auto day = parse_value(dow.substr(0, dow.size() - 1), 5);
    if (!day || *day < 1 || *day > 7) return fail("day-of-week");
    cron.last_weekday_in_month_ = *day;
  } else if (dow == "L") {
    cron.last_weekday_in_month_ = 7;
  } else if (!parse_list(dow, 5, 1, 7, cron.days_of_week_)) {
    return fail("day-of-week");
  }
  // Quartz: exactly one of day-of-month and day-of-week must be '?'; we accept '*' for
  // either, but two specific values are ambiguous.
  if ((dom != "?" && dow != "?" && !(dom == "*" && dow == "*")) ||
      (!cron.any_day_of_month_ && !cron.any_day_of_week_)) {
    return fail("specify either day-of-month or day-of-week, the other must be '?'");
  }
  if (fields.size() == 7 && fields[6] != "*") {
    // Years 1970..2169 are plenty for schedules.
    std::bitset<2170> all_years;
    if (!parse_list(fields[6], 6, 1970, 2169, all_years)) return fail("year");
    cron.years_.assign(200, false);
    for (int y = 1970; y < 2170; ++y) cron.years_[y - 1970] = all_years.test(y);
  }
  return cron;
}

bool QuartzCron::day_matches(int year, int month, int day) const {
  if (!months_.test(static_cast<std::size_t>(month))) return false;
  if (!years_.empty() && (year < 1970 || year >= 2170 || !years_[year - 1970])) return false;
  const int last = days_in_month(year, month);
  const int weekday = day_of_week(year, month, day);
  if (!any_day_of_month_) {
    if (last_day_of_month_) {
      if (day != std::max(1, last - last_day_offset_)) return false;
    } else if (last_weekday_of_month_) {
      int target = last;
      while (day_of_week(year, month, target) == 1 || day_of_week(year, month, target) == 7)
        --target;
      if (day != target) return false;
    } else if (nearest_weekday_to_ != 0) {
      int target = std::min(nearest_weekday_to_, last);
      int wd = day_of_week(year, month, target);
      if (wd == 7)
        target = target == 1 ? target + 2 : target - 1;  // Saturday
      else if (wd == 1)
        target = target == last ? target - 2 : target + 1;  // Sunday
      if (day != target) return false;
    } else if (!days_of_month_.test(static_cast<std::size_t>(day))) {
      return false;
    }
  }
  if (!any_day_of_week_) {
    if (nth_weekday_ != 0) {
      if (weekday != nth_weekday_ || (day - 1) / 7 + 1 != nth_weekday_n_) return false;
    } else if (last_weekday_in_month_ != 0) {
      if (weekday != last_weekday_in_month_ || day + 7 <= last) return false;
    } else if (!days_of_week_.test(static_cast<std::size_t>(weekday))) {
      return false;
    }
  }
  return true;
}

std::optional<std::int64_t> QuartzCron::next_after(std::int64_t after_ms,
                                                   const std::string& timezone_id) const {
  if (!known_timezone(timezone_id)) return std::nullopt;
  std::lock_guard<std::mutex> lock(tz_mutex());
  ScopedTimezone zone(timezone_id);

  const std::time_t after = static_cast<std::time_t>(after_ms / 1000);
  std::tm local{};
  if (localtime_r(&after, &local) == nullptr) return std::nullopt;
  std::int64_t first_day = days_from_civil(local.tm_year + 1900, local.tm_mon + 1, local.tm_mday);

  for (std::int64_t day_index = first_day; day_index < first_day + 5 * 366; ++day_index) {
    int y = 0;
    int m = 0;
    int d = 0;
    civil_from_days(day_index, y, m, d);
    if (!day_matches(y, m, d)) continue;
    const bool first = day_index == first_day;
    for (int h = 0; h < 24; ++h) {
      if (!hours_.test(h) || (first && h < local.tm_hour - 1)) continue;
      for (int mi = 0; mi < 60; ++mi) {
        if (!minutes_.test(mi)) continue;
        for (int s = 0; s < 60; ++s) {
          if (!seconds_.test(s)) continue;
          std::tm candidate{};
          candidate.tm_year = y - 1900;
          candidate.tm_mon = m - 1;
          candidate.tm_mday = d;
          candidate.tm_hour = h;
          candidate.tm_min = mi;
          candidate.tm_sec = s;
          candidate.tm_isdst = -1;
          std::time_t t = mktime(&candidate);
          // A time inside a DST gap normalises forward (fires at the shifted time).
          if (t != static_cast<std::time_t>(-1) && static_cast<std::int64_t>(t) * 1000 > after_ms) {
            return static_cast<std::int64_t>(t) * 1000;
          }
        }
      }
    }
  }
  return std::nullopt;
}

}  // namespace dbk::emulator
