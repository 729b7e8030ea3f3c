-- A person's effective membership in a workspace, defined once: among their grants there (one per
-- origin), the active one with the highest role — a rules grant before a hand grant of the same role,
-- then the most recently changed; when none is active, the most relevant other one by the same order.
-- The members list, the permissions view, the role-matrix check and the admin writes all read it.
create view effective_memberships as
select distinct on (m.person_id, m.workspace_id)
       m.person_id, m.workspace_id, m.id as membership_id, m.origin, m.role, m.status, m.valid_until,
       m.source_id, m.rule, m.updated_at
  from memberships m
 order by m.person_id, m.workspace_id, (m.status = 'active') desc,
          case m.role when 'admin' then 3 when 'editor' then 2 else 1 end desc,
          (m.origin = 'rules') desc, m.updated_at desc;
