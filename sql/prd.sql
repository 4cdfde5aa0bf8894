-- name: list_prds(user_id)
-- The user's PRDs with their epic's title, most recently changed first.
SELECT p.prd_id, p.epic_id, e.title AS epic_title, p.title, p.version, p.status, p.created_at, p.updated_at
  FROM prd_documents AS p
  JOIN epics AS e ON e.epic_id = p.epic_id
 WHERE p.user_id = :user_id
   AND e.user_id = :user_id
 ORDER BY p.updated_at DESC, p.prd_id;

-- name: epics_without_prd(user_id)
-- The user's epics that have no PRD yet, newest first.
SELECT e.epic_id, e.title, e.current_stage AS stage
  FROM epics AS e
 WHERE e.user_id = :user_id
   AND NOT EXISTS (SELECT 1 FROM prd_documents AS p WHERE p.epic_id = e.epic_id)
 ORDER BY e.created_at DESC, e.epic_id;

-- name: get_prd(user_id, epic_id)^
-- One of the user's epics with its PRD columns (null when it has none); nothing when the epic is not theirs.
SELECT e.epic_id, e.title AS epic_title, p.prd_id, p.title, p.sections, p.source, p.version, p.status,
       p.updated_at
  FROM epics AS e
  LEFT JOIN prd_documents AS p ON p.epic_id = e.epic_id
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id;

-- name: upsert_prd(prd_id, user_id, epic_id, title, sections, source, version, status)^
-- Create or replace the PRD of one of the user's epics; nothing when the epic is gone or not theirs.
INSERT INTO prd_documents (prd_id, epic_id, user_id, title, sections, source, version, status)
SELECT :prd_id, e.epic_id, e.user_id, :title, :sections, :source,
       coalesce(:version, '1.0'), coalesce(:status, 'draft')
  FROM epics AS e
 WHERE e.epic_id = :epic_id
   AND e.user_id = :user_id
    ON CONFLICT (epic_id) DO UPDATE
   SET title = excluded.title,
       sections = excluded.sections,
       source = excluded.source,
       version = coalesce(:version, prd_documents.version),
       status = coalesce(:status, prd_documents.status),
       updated_at = now()
RETURNING prd_id;

-- name: update_prd(user_id, epic_id, title, sections, version)^
-- Replace the document of one of the user's existing PRDs (an edit); nothing when there is none.
UPDATE prd_documents
   SET sections = :sections,
       title = coalesce(:title, title),
       version = coalesce(:version, version),
       source = 'manual_edit',
       updated_at = now()
 WHERE epic_id = :epic_id
   AND user_id = :user_id
RETURNING prd_id;

-- name: delete_prd(user_id, epic_id)^
-- Delete the PRD of one of the user's epics; nothing when there is none.
DELETE FROM prd_documents
 WHERE epic_id = :epic_id
   AND user_id = :user_id
RETURNING prd_id;
