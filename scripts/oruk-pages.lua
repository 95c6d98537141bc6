-- wrk script: each request asks for a random page of the open ORUK feed's services, the way a
-- harvester walking the feed or a client paging through it would. PAGES is how many pages of
-- PER_PAGE the feed has; SEARCH, if set, is a word every request searches for.
local pages = tonumber(os.getenv("PAGES") or "1")
local perPage = os.getenv("PER_PAGE") or "50"
local search = os.getenv("SEARCH") or ""

request = function()
  local path = "/oruk/services?per_page=" .. perPage .. "&page=" .. math.random(pages)
  if search ~= "" then
    path = path .. "&search=" .. search
  end
  return wrk.format("GET", path)
end
