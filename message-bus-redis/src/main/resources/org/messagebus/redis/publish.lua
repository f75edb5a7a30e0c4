-- message-bus-redis: the atomic publish of SPEC §3.2.2, with the effects of Ruby message_bus 4.5.
-- KEYS: 1 global id, 2 channel id, 3 channel backlog, 4 global backlog, 5 notification channel
-- ARGV: 1 escaped channel|payload, 2 max backlog age (ms), 3 max backlog size,
--       4 max global backlog size, 5 raw encoded channel, 6 clear every
local global_id = redis.call('INCR', KEYS[1])
local message_id = redis.call('INCR', KEYS[2])
local age_ms = ARGV[2]
local stored = global_id .. '|' .. message_id .. '|' .. ARGV[1]

redis.call('ZADD', KEYS[3], message_id, stored)
redis.call('PEXPIRE', KEYS[3], age_ms)
redis.call('ZADD', KEYS[4], global_id, message_id .. '|' .. ARGV[5])
redis.call('PEXPIRE', KEYS[4], age_ms)
redis.call('PUBLISH', KEYS[5], stored)
redis.call('PEXPIRE', KEYS[2], age_ms)

local every = tonumber(ARGV[6])
local keep = tonumber(ARGV[3])
if message_id > keep and message_id % every == 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], 1, message_id - keep)
end
local keep_global = tonumber(ARGV[4])
if global_id > keep_global and global_id % every == 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[4], 1, global_id - keep_global)
end
return message_id
