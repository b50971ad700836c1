-- POST /bots + DELETE /bots cycles: each POST starts a bot on a new Google Meet id (abc-defg-hij); once its 201
-- comes back, a later request stops it. Ids are unique per thread (letter) and per run (prefix argument).
local key = os.getenv("BENCH_KEY")
local letters = "abcdefghijklmnopqrstuvwxyz"
local threads = 0
local counter = 0
local started = {}
local all_threads = {}

function setup(thread)
  threads = threads + 1
  thread:set("thread_letter", letters:sub(threads, threads))
  all_threads[threads] = thread
end

local prefix = "aaa"
function init(args)
  prefix = args[1] or "aaa"
end

local function meet_id(n)
  local s = ""
  for _ = 1, 6 do
    local d = n % 26
    n = (n - d) / 26
    s = s .. letters:sub(d + 1, d + 1)
  end
  local id = prefix .. thread_letter .. s -- 3 + 1 + 6 = 10 letters
  return id:sub(1, 3) .. "-" .. id:sub(4, 7) .. "-" .. id:sub(8, 10)
end

function request()
  local headers = { ["X-API-Key"] = key, ["Content-Type"] = "application/json" }
  if #started > 0 then
    return wrk.format("DELETE", "/bots/google_meet/" .. table.remove(started, 1), headers)
  end
  counter = counter + 1
  return wrk.format("POST", "/bots", headers,
    '{"platform":"google_meet","native_meeting_id":"' .. meet_id(counter) .. '"}')
end

-- Answers by status, with the detail of a refusal, so a refused stop or start shows in the run's output.
answers = {}

function response(status, headers, body)
  local k = tostring(status)
  if status >= 300 then k = k .. " " .. ((body or ""):match('"detail":"([^"]*)"') or ""):sub(1, 60) end
  answers[k] = (answers[k] or 0) + 1
  if status == 201 then
    local id = body:match('"native_meeting_id":"([a-z%-]+)"')
    if id then started[#started + 1] = id end
  end
end

-- Called by report.lua's done(): one line with every thread's answers summed.
function report_extra()
  local sum = {}
  for _, t in ipairs(all_threads) do
    for k, v in pairs(t:get("answers")) do sum[k] = (sum[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(sum) do parts[#parts + 1] = k .. "=" .. v end
  table.sort(parts)
  io.write("ANSWERS " .. table.concat(parts, ", ") .. "\n")
end
