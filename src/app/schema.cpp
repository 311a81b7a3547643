#include "app/schema.h"

#include "auth/auth_schema.h"
#include "ingest/ingest_schema.h"
#include "jobs/jobs_schema.h"
#include "oai/oai_schema.h"
#include "orgs/orgs_schema.h"
#include "portal/portal_schema.h"
#include "resources/resources_schema.h"
#include "review/review_schema.h"
#include "security/security_schema.h"
#include "uploads/uploads_schema.h"
#include "video/video_schema.h"

namespace lep::app {

const std::vector<storage::Migration>& AllMigrations() {
  // Version numbers only grow: a database records the highest one it applied, so 10 (never
  // released) stays unused.
  static const std::vector<storage::Migration> kAll = storage::JoinMigrations(
      {
          {1, "orgs_users_sessions"},
          {2, "categories_resources"},
          {3, "uploads_media"},
          {4, "review_workflow"},
          {5, "portal_counters"},
          {6, "audit_chain"},
          {7, "link_checks"},
          {8, "ratings_favourites_history"},
          {9, "security_totp_pii_settings"},
          {11, "notifications_scheduled_batches"},
          {12, "several_servers"},
          {13, "jobs"},
          {14, "login_throttle_audit_head"},
          {40, "video_ladders_captions"},
          {41, "media_content_index"},
          {45, "account_lifecycle"},
          {50, "oai_records"},
          {51, "campaign_deadlines_batch_numbers_digests"},
          {52, "resource_import_files"},
          {54, "org_registration_forms"},
          {55, "learner_email_personal_mail"},
          {56, "course_lessons"},
      },
      // Modules in dependency order: a table may refer only to tables of modules before it.
      {&orgs::OrgsSchema(), &auth::AuthSchema(), &security::SecuritySchema(),
       &resources::ResourcesSchema(), &uploads::UploadsSchema(), &ingest::IngestSchema(),
       &review::ReviewSchema(), &portal::PortalSchema(), &jobs::JobsSchema(),
       &video::VideoSchema(), &oai::OaiSchema()});
  return kAll;
}

}  // namespace lep::app
