-- One user's one-word search, as GET /transcripts/search runs it (TranscriptSearchApi), for pgbench.
\set uid random(1, :users)
\set w random(1, 400)
SELECT m.id, m.platform, m.native_meeting_id, s.json, s.speaker,
       ts_headline('simple', s.text, query, 'StartSel=<b>, StopSel=</b>, MaxFragments=1, MaxWords=30, MinWords=8')
FROM transcript_segments s
JOIN meetings m ON m.id = s.meeting_id, websearch_to_tsquery('simple', 'word' || :w) query
WHERE m.user_id = :uid AND s.search @@ query
ORDER BY ts_rank(s.search, query) DESC, m.id DESC, s.start
LIMIT 21 OFFSET 0;
