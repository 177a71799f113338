-- Argo CD health check shared by every shopdb.io kind (PostgresCluster, PostgresDatabase, PostgresRole,
-- PostgresMigration, PostgresBackup, PostgresBackupSchedule, PostgresRestore, PostgresPooler, PostgresMajorUpgrade,
-- PostgresImageCatalog).
-- Install: docs/gitops.md. It reads only the status contract every kind shares (README "Status contract"):
-- conditions Ready / Reconciling / Stalled and status.observedGeneration, which advances only when a
-- reconcile of that generation finished.
local hs = {}

local function condition(conditions, kind)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

local function message(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    if c.reason ~= nil and c.reason ~= "" then
      return c.reason .. ": " .. c.message
    end
    return c.message
  end
  return fallback
end

local generation = 0
if obj.metadata ~= nil and obj.metadata.generation ~= nil then
  generation = obj.metadata.generation
end

-- Not reconciled yet (fresh object, or the operator has not caught up with a spec change): the
-- conditions, if any, describe an older spec, so they must not make an edit look Healthy or Degraded.
if obj.status == nil or obj.status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for shopdb-operator to reconcile"
  return hs
end
local observed = obj.status.observedGeneration
local stalled = condition(obj.status.conditions, "Stalled")
local ready = condition(obj.status.conditions, "Ready")
local reconciling = condition(obj.status.conditions, "Reconciling")

if observed == nil or observed < generation then
  hs.status = "Progressing"
  hs.message = message(reconciling, "Waiting for shopdb-operator to reconcile generation " .. generation)
  return hs
end

-- Stalled wins over everything else: it means a person must act, and it is not retried.
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = message(stalled, "Stalled")
  return hs
end

-- A suspended schedule is intentionally idle, like a suspended CronJob.
if obj.kind == "PostgresBackupSchedule" and obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "Backup schedule is suspended (spec.suspend)"
  return hs
end

-- A hibernated cluster is stopped on purpose (spec.hibernate), like a Deployment scaled to zero.
if ready ~= nil and ready.status == "True" and ready.reason == "Hibernated" then
  hs.status = "Suspended"
  hs.message = message(ready, "Hibernated")
  return hs
end

-- A standby cluster (spec.standby) is Healthy while it streams from its source. Not streaming it is Degraded: its copy
-- grows older, and a person decides whether the source is lost (promote it) or the link comes back.
if ready ~= nil and ready.status == "True" and ready.reason == "Standby" and obj.status.standby ~= nil
    and obj.status.standby.streaming ~= true then
  hs.status = "Degraded"
  hs.message = "Standby of " .. tostring(obj.status.standby.source) .. " is not streaming from it"
  if obj.status.standby.message ~= nil then
    hs.message = hs.message .. ": " .. obj.status.standby.message
  end
  return hs
end

if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = message(ready, "Ready")
  return hs
end

if reconciling ~= nil and reconciling.status == "True" then
  hs.status = "Progressing"
  hs.message = message(reconciling, "Reconciling")
  return hs
end

hs.status = "Progressing"
hs.message = "Waiting for shopdb-operator to report Ready"
return hs
