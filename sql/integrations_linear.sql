-- name: configure_linear(user_id, default_team_id, default_team_name, default_project_id, default_project_name, field_mappings)^
-- The user's Linear defaults: the team, its project (a null clears it: a project belongs to one team)
-- and the push preferences; only while connected.
UPDATE external_integrations
   SET default_team_id = :default_team_id,
       default_team_name = :default_team_name,
       default_project_id = :default_project_id,
       default_project_name = :default_project_name,
       field_mappings = :field_mappings
 WHERE user_id = :user_id
   AND provider = 'linear'
   AND status = 'connected'
RETURNING default_team_id, default_team_name, default_project_id, default_project_name, field_mappings;
