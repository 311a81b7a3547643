#include "review/notification_repository.h"

namespace lep::review {
namespace {

class SqlNotificationRepository final : public NotificationRepository {
 public:
  explicit SqlNotificationRepository(storage::Database& db) : db_(db) {}

  Result<bool> Insert(storage::SqlExecutor& tx, const NewNotification& n) override {
    storage::Value resource =
        n.resource_id ? storage::Value(*n.resource_id) : storage::Value(nullptr);
    LEP_ASSIGN_OR_RETURN(
        auto r, tx.Exec("INSERT INTO notifications (user_id, kind, title, body, resource_id, "
                        "dedup_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO "
                        "NOTHING",
                        {n.user_id, n.kind, n.title, n.body, resource, n.dedup_key, n.at}));
    return r.affected > 0;
  }

  Result<int64_t> BumpDigest(storage::SqlExecutor& tx, const NewNotification& n) override {
    storage::Value resource =
        n.resource_id ? storage::Value(*n.resource_id) : storage::Value(nullptr);
    LEP_ASSIGN_OR_RETURN(
        auto row,
        tx.QueryOne("INSERT INTO notifications (user_id, kind, title, body, resource_id, "
                    "dedup_key, created_at, item_count) VALUES (?, ?, ?, ?, ?, ?, ?, 1) ON "
                    "CONFLICT (user_id, dedup_key) DO UPDATE SET item_count = "
                    "notifications.item_count + 1, resource_id = excluded.resource_id, "
                    "created_at = excluded.created_at, read_at = NULL RETURNING item_count",
                    {n.user_id, n.kind, n.title, n.body, resource, n.dedup_key, n.at}));
    if (!row) return Fail(Error::Internal("通知未能保存"));
    return row->Int(0);
  }

  Status SetText(storage::SqlExecutor& tx, int64_t user_id, const std::string& dedup_key,
                 const std::string& title, const std::string& body) override {
    return tx
        .Exec("UPDATE notifications SET title = ?, body = ? WHERE user_id = ? AND dedup_key = ?",
              {title, body, user_id, dedup_key})
        .map([](auto&&) {});
  }

  Result<std::vector<Notification>> List(int64_t user_id, bool unread_only, int limit,
                                         std::optional<int64_t> before_id) override {
    std::string sql =
        "SELECT id, kind, title, body, resource_id, created_at, read_at, item_count FROM "
        "notifications "
        "WHERE user_id = ?";
    std::vector<storage::Value> params{user_id};
    if (unread_only) sql += " AND read_at IS NULL";
    if (before_id) {
      sql += " AND id < ?";
      params.push_back(*before_id);
    }
    sql += " ORDER BY id DESC LIMIT ?";
    params.push_back(int64_t{limit});
    LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec(sql, params));
    std::vector<Notification> out;
    for (const auto& r : rows.rows) {
      out.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.OptInt(4), r.Int(5), r.OptInt(6),
                     r.Int(7)});
    }
    return out;
  }

  Result<int64_t> CountUnread(int64_t user_id) override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT COUNT(*) FROM notifications WHERE "
                                                "user_id = ? AND read_at IS NULL",
                                                {user_id}));
    return row ? row->Int(0) : 0;
  }

  Result<bool> MarkRead(int64_t user_id, int64_t id, int64_t at) override {
    LEP_ASSIGN_OR_RETURN(auto r, db_.Exec("UPDATE notifications SET read_at = COALESCE(read_at, "
                                          "?) WHERE id = ? AND user_id = ?",
                                          {at, id, user_id}));
    return r.affected > 0;
  }

  Status MarkAllRead(int64_t user_id, int64_t at) override {
    return db_
        .Exec("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL",
              {at, user_id})
        .map([](auto&&) {});
  }

  Result<std::vector<Member>> Members(storage::SqlExecutor& tx, const MemberFilter& f) override {
    std::string sql =
        "SELECT u.id, u.role, u.org_id, o.kind FROM users u LEFT JOIN orgs o ON o.id = u.org_id "
        "WHERE u.disabled = 0";
    std::vector<storage::Value> params;
    if (f.user_id) {
      sql += " AND u.id = ?";
      params.push_back(*f.user_id);
    }
    if (f.org_id) {
      sql += " AND u.org_id = ?";
      params.push_back(*f.org_id);
    }
    if (f.org_kind) {
      sql += " AND o.kind = ?";
      params.push_back(std::string(orgs::KindName(*f.org_kind)));
    }
    LEP_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql + " ORDER BY u.id", params));
    std::vector<Member> out;
    for (const auto& r : rows.rows) {
      Member m;
      m.user_id = r.Int(0);
      m.role = auth::ParseRole(r.Text(1));
      m.org_id = r.OptInt(2);
      if (auto kind = r.OptText(3)) m.org_kind = orgs::ParseKind(*kind);
      out.push_back(std::move(m));
    }
    return out;
  }

  Result<std::optional<int64_t>> FirstUnitOfKind(storage::SqlExecutor& tx,
                                                 orgs::OrgKind kind) override {
    LEP_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT id FROM orgs WHERE kind = ? ORDER BY id "
                                               "LIMIT 1",
                                               {std::string(orgs::KindName(kind))}));
    if (!row) return std::optional<int64_t>();
    return std::optional<int64_t>(row->Int(0));
  }

  Result<bool> ReminderRan(const std::string& key) override {
    LEP_ASSIGN_OR_RETURN(auto row,
                         db_.QueryOne("SELECT 1 FROM reminder_runs WHERE dedup_key = ?", {key}));
    return row.has_value();
  }

  Result<bool> MarkReminderRun(storage::SqlExecutor& tx, const std::string& key,
                               int64_t at) override {
    LEP_ASSIGN_OR_RETURN(auto r, tx.Exec("INSERT INTO reminder_runs (dedup_key, at) VALUES (?, ?) "
                                         "ON CONFLICT DO NOTHING",
                                         {key, at}));
    return r.affected > 0;
  }

  Result<bool> QueueMail(storage::SqlExecutor& tx, int64_t org_id, const std::string& dedup_key,
                         const std::string& subject, const std::string& body, int64_t at) override {
    LEP_ASSIGN_OR_RETURN(auto r, tx.Exec("INSERT INTO mail_outbox (org_id, dedup_key, subject, "
                                         "body, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT "
                                         "DO NOTHING",
                                         {org_id, dedup_key, subject, body, at}));
    return r.affected > 0;
  }

  Result<bool> QueueUserMail(storage::SqlExecutor& tx, int64_t org_id, int64_t user_id,
                             const std::string& dedup_key, const std::string& subject,
                             const std::string& body, int64_t at) override {
    LEP_ASSIGN_OR_RETURN(auto r, tx.Exec("INSERT INTO mail_outbox (org_id, to_user, dedup_key, "
                                         "subject, body, created_at) VALUES (?, ?, ?, ?, ?, ?) "
                                         "ON CONFLICT DO NOTHING",
                                         {org_id, user_id, dedup_key, subject, body, at}));
    return r.affected > 0;
  }

  Result<std::vector<QueuedMail>> DueMail(int64_t now, int64_t max_attempts, int limit) override {
    LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec("SELECT id, org_id, subject, body, attempts, "
                                             "next_attempt_at, to_user FROM mail_outbox WHERE sent_at IS "
                                             "NULL AND attempts < ? AND next_attempt_at <= ? "
                                             "ORDER BY id LIMIT ?",
                                             {max_attempts, now, int64_t{limit}}));
    std::vector<QueuedMail> out;
    for (const auto& r : rows.rows) {
      out.push_back({r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5), r.OptInt(6)});
    }
    return out;
  }

  Result<bool> ClaimMail(int64_t id, int64_t seen_next_attempt_at, int64_t until) override {
    LEP_ASSIGN_OR_RETURN(auto r, db_.Exec("UPDATE mail_outbox SET next_attempt_at = ? WHERE id = "
                                          "? AND next_attempt_at = ? AND sent_at IS NULL",
                                          {until, id, seen_next_attempt_at}));
    return r.affected > 0;
  }

  Status MailSent(int64_t id, int64_t at, int64_t attempts) override {
    return db_
        .Exec("UPDATE mail_outbox SET sent_at = ?, attempts = ? WHERE id = ?", {at, attempts, id})
        .map([](auto&&) {});
  }

  Status MailFailed(int64_t id, int64_t attempts, int64_t next_attempt_at,
                    const std::string& error) override {
    return db_
        .Exec(
            "UPDATE mail_outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE "
            "id = ?",
            {attempts, next_attempt_at, error, id})
        .map([](auto&&) {});
  }

 private:
  storage::Database& db_;
};

}  // namespace

std::unique_ptr<NotificationRepository> NewSqlNotificationRepository(storage::Database& db) {
  return std::make_unique<SqlNotificationRepository>(db);
}

}  // namespace lep::review
