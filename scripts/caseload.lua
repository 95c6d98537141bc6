-- wrk script: each request comes from one of the signed-in workers whose session cookies are
-- in the file named by COOKIES, one per line, and asks for their caseload page.
local cookies = {}
for line in io.lines(os.getenv("COOKIES")) do
  cookies[#cookies + 1] = line
end

request = function()
  local c = cookies[math.random(#cookies)]
  return wrk.format("GET", "/caseload", { ["Cookie"] = c })
end
