#include <catch2/catch.hpp>
#include <ctime>

#include "jobs/quartz_cron.hpp"

using dbk::emulator::QuartzCron;

namespace {

std::int64_t utc_ms(int y, int mo, int d, int h, int mi, int s = 0) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

std::int64_t next(const std::string& expression, std::int64_t after,
                  const std::string& zone = "UTC") {
  auto cron = QuartzCron::parse(expression);
  REQUIRE(cron.ok());
  auto value = cron->next_after(after, zone);
  REQUIRE(value.has_value());
  return *value;
}

}  // namespace

TEST_CASE("the seed pipeline's schedules fire at local wall-clock times", "[cron]") {
  // docs/reference/pipeline.md §5.1: "0 15 22 ? * *" in America/Los_Angeles (PST = UTC-8 in
  // November).
  CHECK(next("0 15 22 ? * *", utc_ms(2026, 11, 27, 10, 0), "America/Los_Angeles") ==
        utc_ms(2026, 11, 28, 6, 15));
  // §5.6: "0 30 7-18 ? * *": every hour at :30 from 07:30 to 18:30 local time.
  CHECK(next("0 30 7-18 ? * *", utc_ms(2026, 11, 27, 2, 40), "America/Los_Angeles") ==
        utc_ms(2026, 11, 27, 15, 30));
  CHECK(next("0 30 7-18 ? * *", utc_ms(2026, 11, 27, 15, 30), "America/Los_Angeles") ==
        utc_ms(2026, 11, 27, 16, 30));
}

TEST_CASE("daylight saving time changes the UTC firing time", "[cron]") {
  CHECK(next("0 0 12 * * ?", utc_ms(2026, 1, 15, 0, 0), "America/Los_Angeles") ==
        utc_ms(2026, 1, 15, 20, 0));
  CHECK(next("0 0 12 * * ?", utc_ms(2026, 7, 1, 0, 0), "America/Los_Angeles") ==
        utc_ms(2026, 7, 1, 19, 0));
}

TEST_CASE("the next firing is strictly after the given time", "[cron]") {
  CHECK(next("0 */15 * * * ?", utc_ms(2026, 11, 27, 10, 7)) == utc_ms(2026, 11, 27, 10, 15));
  CHECK(next("0 */15 * * * ?", utc_ms(2026, 11, 27, 10, 15)) == utc_ms(2026, 11, 27, 10, 30));
  CHECK(next("*/10 * * * * ?", utc_ms(2026, 11, 27, 10, 0, 5)) == utc_ms(2026, 11, 27, 10, 0, 10));
  CHECK(next("0 0 0 1 1 ? 2030", utc_ms(2026, 11, 27, 10, 0)) == utc_ms(2030, 1, 1, 0, 0));
}

TEST_CASE("day-of-week lists, ranges and names", "[cron]") {
  // Friday 2026-11-27 13:00 → next weekday noon is Monday 2026-11-30.
  CHECK(next("0 0 12 ? * MON-FRI", utc_ms(2026, 11, 27, 13, 0)) == utc_ms(2026, 11, 30, 12, 0));
  CHECK(next("0 0 12 ? * 1,7", utc_ms(2026, 11, 27, 13, 0)) == utc_ms(2026, 11, 28, 12, 0));
  CHECK(next("0 0 12 ? JUN *", utc_ms(2026, 11, 27, 13, 0)) == utc_ms(2027, 6, 1, 12, 0));
}

TEST_CASE("L, W and # special characters", "[cron]") {
  CHECK(next("0 0 12 L * ?", utc_ms(2026, 2, 1, 0, 0)) == utc_ms(2026, 2, 28, 12, 0));
  CHECK(next("0 0 12 L-2 * ?", utc_ms(2026, 2, 1, 0, 0)) == utc_ms(2026, 2, 26, 12, 0));
  // Last Friday of November 2026 is the 27th.
  CHECK(next("0 0 12 ? * 6L", utc_ms(2026, 11, 1, 0, 0)) == utc_ms(2026, 11, 27, 12, 0));
  // First Monday of December 2026 is the 7th.
  CHECK(next("0 0 12 ? * 2#1", utc_ms(2026, 11, 30, 13, 0)) == utc_ms(2026, 12, 7, 12, 0));
  // 2026-08-15 is a Saturday: the nearest weekday is Friday the 14th.
  CHECK(next("0 0 9 15W * ?", utc_ms(2026, 8, 1, 0, 0)) == utc_ms(2026, 8, 14, 9, 0));
  // Last weekday of February 2026 (the 28th is a Saturday) is Friday the 27th.
  CHECK(next("0 0 9 LW * ?", utc_ms(2026, 2, 1, 0, 0)) == utc_ms(2026, 2, 27, 9, 0));
}

TEST_CASE("invalid expressions are rejected with INVALID_PARAMETER_VALUE", "[cron]") {
  for (const char* bad :
       {"", "bad", "0 0 12 * *", "60 0 12 * * ?", "0 0 24 * * ?", "0 0 12 * * MON", "0 0 12 32 * ?",
        "0 0 12 ? * 8", "0 0 12 ? * 2#6", "0 0 12 ? XYZ *", "0 */0 * * * ?"}) {
    INFO(bad);
    auto cron = QuartzCron::parse(bad);
    REQUIRE_FALSE(cron.ok());
    CHECK(cron.error().error_code == "INVALID_PARAMETER_VALUE");
    CHECK(cron.error().http_status == 400);
  }
}

TEST_CASE("time zones come from the system database", "[cron]") {
  CHECK(QuartzCron::known_timezone("UTC"));
  CHECK(QuartzCron::known_timezone("America/Los_Angeles"));
  CHECK_FALSE(QuartzCron::known_timezone("Mars/Olympus_Mons"));
  CHECK_FALSE(QuartzCron::known_timezone("../etc/passwd"));
  auto cron = QuartzCron::parse("0 0 12 * * ?");
  REQUIRE(cron.ok());
  CHECK_FALSE(cron->next_after(0, "Mars/Olympus_Mons").has_value());
}
