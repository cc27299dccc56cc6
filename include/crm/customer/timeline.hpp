// crm/customer/timeline.hpp - interactions on every channel (the party's
// timeline) and activities (follow-ups with due times and assignees).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crm/core/error.hpp"
#include "crm/core/id.hpp"
#include "crm/core/time.hpp"

namespace crm {

/// How a customer was reached: every consent and campaign channel (email,
/// sms, call, whatsapp) is one of these too.
enum class Channel { call, email, sms, meeting, chat, social, portal, visit, other, whatsapp };
enum class Direction { inbound, outbound, internal };
enum class ActivityKind { task, call, meeting };
enum class ActivityStatus { open, done, cancelled };

CRM_API const char* to_string(Channel) noexcept;
CRM_API const char* to_string(Direction) noexcept;
CRM_API const char* to_string(ActivityKind) noexcept;
CRM_API const char* to_string(ActivityStatus) noexcept;
CRM_API result<Channel> parse_channel(std::string_view s, std::string_view field = "channel");
CRM_API result<Direction> parse_direction(std::string_view s, std::string_view field = "direction");
CRM_API result<ActivityKind> parse_activity_kind(std::string_view s, std::string_view field = "kind");
CRM_API result<ActivityStatus> parse_activity_status(std::string_view s,
                                                     std::string_view field = "status");

/// Something that happened between the organisation and a party.
struct Interaction {
    Id id;
    Id party;
    Channel channel = Channel::other;
    Direction direction = Direction::inbound;
    Timestamp at;
    std::string subject;
    std::string summary;
    std::string actor;
    std::optional<std::int64_t> duration_s;
    std::string outcome;
    std::string external_id;  ///< the host's key; logging it twice is a no-op
};

/// A follow-up (پیگیری): something someone must do by a due time.
struct Activity {
    Id id;
    Id party;
    ActivityKind kind = ActivityKind::task;
    std::string subject;
    std::string note;
    Timestamp due;
    std::string assignee;
    ActivityStatus status = ActivityStatus::open;
    Timestamp created_at;
    std::optional<Timestamp> closed_at;
};

/// A page of a time-ordered list, newest first. Pass `next` back as
/// `before` to read the following page; empty `next` means the end.
template <class T>
struct Page {
    std::vector<T> items;
    std::string next;
};

/// Which part of a timeline to read: items strictly older than the cursor
/// `before` (empty: from the newest), at most `limit` (1..1000).
struct TimelineQuery {
    std::string before;
    int limit = 50;
};

}  // namespace crm
