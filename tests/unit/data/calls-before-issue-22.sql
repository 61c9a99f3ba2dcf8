-- A call records file as versions before issue 22 left it: the calls and
-- queue_log tables as sqlite_utils made them then (no handed_to, flagged,
-- no queue_log index but `at`), every hangup without a counselor abandoned_ivr.
CREATE TABLE [calls] (
   [id] TEXT PRIMARY KEY,
   [caller] TEXT NOT NULL,
   [dialed] TEXT NOT NULL,
   [started_at] TEXT NOT NULL,
   [answered_at] TEXT,
   [connected_at] TEXT,
   [ended_at] TEXT,
   [duration_seconds] FLOAT,
   [billable_seconds] FLOAT,
   [talk_seconds] FLOAT,
   [disposition] TEXT,
   [hangup_cause] TEXT,
   [hangup_by] TEXT,
   [counselor_id] TEXT,
   [counselor_leg] TEXT,
   [ivr_path] TEXT,
   [topic] TEXT,
   [category] TEXT,
   [recording] TEXT,
   [open] INTEGER
);
CREATE INDEX [idx_calls_started_at] ON [calls] ([started_at]);
CREATE INDEX [idx_calls_open] ON [calls] ([open]);
CREATE INDEX [idx_calls_caller_started_at] ON [calls] ([caller], [started_at]);
CREATE TABLE [queue_log] (
   [id] INTEGER PRIMARY KEY,
   [at] TEXT,
   [call_id] TEXT,
   [queue] TEXT,
   [event] TEXT,
   [counselor_id] TEXT,
   [position] INTEGER,
   [entry_position] INTEGER,
   [waited] FLOAT,
   [talked] FLOAT,
   [detail] TEXT
);
CREATE INDEX [idx_queue_log_at] ON [queue_log] ([at]);

INSERT INTO calls (id, caller, dialed, started_at, answered_at, connected_at, ended_at, disposition, hangup_by, counselor_id, open) VALUES
 -- talked to c1
 ('talked',  '01011110001', '2221000', '2026-11-02T09:00:00.000+09:00', '2026-11-02T09:00:00.000+09:00', '2026-11-02T09:00:30.000+09:00', '2026-11-02T09:02:35.000+09:00', 'answered', 'caller', 'c1', 0),
 -- hung up after 74 s in line, no phone ringing
 ('waited',  '01011110002', '2221000', '2026-11-02T09:01:00.000+09:00', '2026-11-02T09:01:00.000+09:00', NULL, '2026-11-02T09:02:30.000+09:00', 'abandoned_ivr', 'caller', NULL, 0),
 -- hung up while c2's phone rang for them
 ('rang',    '01011110003', '2221000', '2026-11-02T09:02:00.000+09:00', '2026-11-02T09:02:00.000+09:00', NULL, '2026-11-02T09:02:40.000+09:00', 'abandoned_ivr', 'caller', NULL, 0),
 -- c3 missed the ring, the caller waited on and hung up
 ('missed',  '01011110004', '2221000', '2026-11-02T09:03:00.000+09:00', '2026-11-02T09:03:00.000+09:00', NULL, '2026-11-02T09:04:10.000+09:00', 'abandoned_ivr', 'caller', NULL, 0),
 -- left the line with the key (callback), hung up while confirming the number
 ('left',    '01011110005', '2221000', '2026-11-02T09:04:00.000+09:00', '2026-11-02T09:04:00.000+09:00', NULL, '2026-11-02T09:04:50.000+09:00', 'abandoned_ivr', 'caller', NULL, 0),
 -- hung up in the menu: never in line
 ('menu',    '01011110006', '2221000', '2026-11-02T09:05:00.000+09:00', '2026-11-02T09:05:00.000+09:00', NULL, '2026-11-02T09:05:08.000+09:00', 'abandoned_ivr', 'caller', NULL, 0),
 -- timed out of one queue, overflowed into another, hung up there while c4 rang
 ('overflow','01011110007', '2221000', '2026-11-02T09:06:00.000+09:00', '2026-11-02T09:06:00.000+09:00', NULL, '2026-11-02T09:09:20.000+09:00', 'abandoned_ivr', 'caller', NULL, 0),
 -- a fallback call (Asterisk's own queue): no lines of ours
 ('17648.1', '01011110008', '2221000', '2026-11-02T09:07:00.000+09:00', '2026-11-02T09:07:00.000+09:00', NULL, '2026-11-02T09:07:40.000+09:00', 'fallback_abandoned', 'caller', NULL, 0);

INSERT INTO queue_log (id, at, call_id, queue, event, counselor_id, position, entry_position, waited, talked) VALUES
 (1,  '2026-11-02T09:00:05.000+09:00', 'talked',   'general', 'entered',             NULL, 1, NULL, NULL, NULL),
 (2,  '2026-11-02T09:00:20.000+09:00', 'talked',   'general', 'offered',             'c1', 1, NULL, NULL, NULL),
 (3,  '2026-11-02T09:00:30.000+09:00', 'talked',   'general', 'connected',           'c1', NULL, 1, 25.0, NULL),
 (4,  '2026-11-02T09:01:16.000+09:00', 'waited',   'general', 'entered',             NULL, 1, NULL, NULL, NULL),
 (5,  '2026-11-02T09:02:10.000+09:00', 'rang',     'general', 'entered',             NULL, 2, NULL, NULL, NULL),
 (6,  '2026-11-02T09:02:30.000+09:00', 'waited',   'general', 'abandoned',           NULL, 1, 1, 74.0, NULL),
 (7,  '2026-11-02T09:02:31.000+09:00', 'rang',     'general', 'offered',             'c2', 1, NULL, NULL, NULL),
 -- another caller's line between the ring and the hangup
 (8,  '2026-11-02T09:02:35.000+09:00', 'talked',   'general', 'completed_caller',    'c1', NULL, NULL, NULL, 125.0),
 (9,  '2026-11-02T09:02:40.000+09:00', 'rang',     'general', 'abandoned',           NULL, 1, 2, 30.0, NULL),
 (10, '2026-11-02T09:03:10.000+09:00', 'missed',   'general', 'entered',             NULL, 1, NULL, NULL, NULL),
 (11, '2026-11-02T09:03:11.000+09:00', 'missed',   'general', 'offered',             'c3', 1, NULL, NULL, NULL),
 (12, '2026-11-02T09:03:26.000+09:00', 'missed',   'general', 'ring_no_answer',      'c3', NULL, NULL, 16.0, NULL),
 (13, '2026-11-02T09:04:10.000+09:00', 'missed',   'general', 'abandoned',           NULL, 1, 1, 60.0, NULL),
 (14, '2026-11-02T09:04:10.000+09:00', 'left',     'general', 'entered',             NULL, 1, NULL, NULL, NULL),
 (15, '2026-11-02T09:04:40.000+09:00', 'left',     'general', 'exit_key',            NULL, 1, 1, 30.0, NULL),
 (16, '2026-11-02T09:06:10.000+09:00', 'overflow', 'solo',    'entered',             NULL, 1, NULL, NULL, NULL),
 (17, '2026-11-02T09:08:10.000+09:00', 'overflow', 'solo',    'exit_timeout',        NULL, 1, 1, 120.0, NULL),
 (18, '2026-11-02T09:08:12.000+09:00', 'overflow', 'general', 'entered',             NULL, 1, NULL, NULL, NULL),
 (19, '2026-11-02T09:09:00.000+09:00', 'overflow', 'general', 'offered',             'c4', 1, NULL, NULL, NULL),
 (20, '2026-11-02T09:09:20.000+09:00', 'overflow', 'general', 'abandoned',           NULL, 1, 1, 68.0, NULL);
