-- name: ensure_settings(settings_id, user_id)^
-- The user's persona generation settings, created with the defaults on first use.
INSERT INTO persona_generation_settings (settings_id, user_id)
VALUES (:settings_id, :user_id)
    ON CONFLICT (user_id) DO UPDATE
   SET user_id = EXCLUDED.user_id
RETURNING image_provider, image_model, default_persona_count;

-- name: update_settings(user_id, image_provider, image_model, default_persona_count)^
-- Change the given settings (NULL keeps a setting) of the user's row, which ensure_settings created.
UPDATE persona_generation_settings
   SET image_provider = coalesce(:image_provider, image_provider),
       image_model = coalesce(:image_model, image_model),
       default_persona_count = coalesce(:default_persona_count, default_persona_count)
 WHERE user_id = :user_id
RETURNING image_provider, image_model, default_persona_count;

-- name: create_persona(persona_id, user_id, epic_id, name, role, age_range, location, tech_proficiency, goals_and_motivations, pain_points, key_behaviors, jobs_to_be_done, product_interaction_context, representative_quote)^
-- Add a generated persona to one of the user's epics; nothing when the epic is gone or not theirs.
INSERT INTO personas (persona_id, epic_id, user_id, name, role, age_range, location, tech_proficiency,
                      goals_and_motivations, pain_points, key_behaviors, jobs_to_be_done,
                      product_interaction_context, representative_quote)
SELECT :persona_id, e.epic_id, e.user_id, :name, :role, :age_range, :location, :tech_proficiency,
       :goals_and_motivations, :pain_points, :key_behaviors, :jobs_to_be_done,
       :product_interaction_context, :representative_quote
  FROM epics AS e
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id
RETURNING persona_id, epic_id, name, role, age_range, location, tech_proficiency, goals_and_motivations,
          pain_points, key_behaviors, jobs_to_be_done, product_interaction_context, representative_quote,
          portrait_image_base64, portrait_prompt, source, is_active, created_at, updated_at;

-- name: list_personas(user_id, epic_id, search)
-- The user's active personas, newest first, optionally of one epic and matching a LIKE pattern in the
-- name, role or quote (case-insensitive; the pattern's own wildcards arrive escaped with a backslash).
SELECT p.persona_id, p.epic_id, p.name, p.role, p.age_range, p.location, p.tech_proficiency,
       p.goals_and_motivations, p.pain_points, p.key_behaviors, p.jobs_to_be_done,
       p.product_interaction_context, p.representative_quote, p.portrait_image_base64, p.portrait_prompt,
       p.source, p.is_active, p.created_at, p.updated_at
  FROM personas AS p
 WHERE p.user_id = :user_id
   AND p.is_active
   AND (:epic_id::text IS NULL OR p.epic_id = :epic_id::text)
   AND (:search::text IS NULL
        OR p.name ILIKE :search::text ESCAPE '\'
        OR p.role ILIKE :search::text ESCAPE '\'
        OR p.representative_quote ILIKE :search::text ESCAPE '\')
 ORDER BY p.created_at DESC, p.persona_id;

-- name: get_persona(user_id, persona_id)^
-- One of the user's active personas.
SELECT persona_id, epic_id, name, role, age_range, location, tech_proficiency, goals_and_motivations,
       pain_points, key_behaviors, jobs_to_be_done, product_interaction_context, representative_quote,
       portrait_image_base64, portrait_prompt, source, is_active, created_at, updated_at
  FROM personas
 WHERE persona_id = :persona_id
   AND user_id = :user_id
   AND is_active;

-- name: get_persona_for_portrait(user_id, persona_id)^
-- One of the user's active personas (get_persona's columns) with the image model the user chose (NULL
-- before they have settings), in one statement.
SELECT p.persona_id, p.epic_id, p.name, p.role, p.age_range, p.location, p.tech_proficiency,
       p.goals_and_motivations, p.pain_points, p.key_behaviors, p.jobs_to_be_done, p.product_interaction_context,
       p.representative_quote, p.portrait_image_base64, p.portrait_prompt, p.source, p.is_active, p.created_at,
       p.updated_at, g.image_model
  FROM personas AS p
  LEFT JOIN persona_generation_settings AS g ON g.user_id = p.user_id
 WHERE p.persona_id = :persona_id
   AND p.user_id = :user_id
   AND p.is_active;

-- name: update_persona(user_id, persona_id, name, role, age_range, location, tech_proficiency, goals_and_motivations, pain_points, key_behaviors, jobs_to_be_done, product_interaction_context, representative_quote)^
-- Change the given fields (NULL keeps a field) of one of the user's active personas; a person edited it.
UPDATE personas
   SET name = coalesce(:name, name),
       role = coalesce(:role, role),
       age_range = coalesce(:age_range, age_range),
       location = coalesce(:location, location),
       tech_proficiency = coalesce(:tech_proficiency, tech_proficiency),
       goals_and_motivations = coalesce(:goals_and_motivations, goals_and_motivations),
       pain_points = coalesce(:pain_points, pain_points),
       key_behaviors = coalesce(:key_behaviors, key_behaviors),
       jobs_to_be_done = coalesce(:jobs_to_be_done, jobs_to_be_done),
       product_interaction_context = coalesce(:product_interaction_context, product_interaction_context),
       representative_quote = coalesce(:representative_quote, representative_quote),
       source = 'human_modified'
 WHERE persona_id = :persona_id
   AND user_id = :user_id
   AND is_active
RETURNING persona_id, epic_id, name, role, age_range, location, tech_proficiency, goals_and_motivations,
          pain_points, key_behaviors, jobs_to_be_done, product_interaction_context, representative_quote,
          portrait_image_base64, portrait_prompt, source, is_active, created_at, updated_at;

-- name: set_portrait(user_id, persona_id, portrait_image_base64, portrait_prompt)^
-- Store a validated portrait on one of the user's active personas.
UPDATE personas
   SET portrait_image_base64 = :portrait_image_base64,
       portrait_prompt = :portrait_prompt
 WHERE persona_id = :persona_id
   AND user_id = :user_id
   AND is_active
RETURNING persona_id, epic_id, name, role, age_range, location, tech_proficiency, goals_and_motivations,
          pain_points, key_behaviors, jobs_to_be_done, product_interaction_context, representative_quote,
          portrait_image_base64, portrait_prompt, source, is_active, created_at, updated_at;

-- name: deactivate_persona(user_id, persona_id)$
-- Soft-delete one of the user's active personas.
UPDATE personas
   SET is_active = false
 WHERE persona_id = :persona_id
   AND user_id = :user_id
   AND is_active
RETURNING persona_id;
