#!/usr/bin/env bash
# crmctl end to end: every command, its exit status and its output.
# usage: crmctl_test.sh CRMCTL SAMPLE_DIR WORK_DIR
set -u
crmctl="$1"; data="$2"; work="$3"
rm -rf "$work"; mkdir -p "$work"; cd "$work"
passed=0; failed=0
check() {  # check NAME COMMAND...: the command must succeed
  local name="$1"; shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $name"; fi
}
status() {  # status EXPECTED NAME COMMAND...: exit status must be EXPECTED
  local want="$1" name="$2"; shift 2
  "$@" > out.txt 2> err.txt
  local got=$?
  if [ "$got" -eq "$want" ]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: $name: exit $got, want $want"; cat err.txt; fi
}

db=crm.db
status 0 init "$crmctl" init $db
status 0 "the built-in pipeline on a fresh database" "$crmctl" pipeline show $db
check "its stages are shown" grep -q "^  Qualify " out.txt
status 2 "no command" "$crmctl"
status 0 "--version" "$crmctl" --version
check "the version and schema" grep -Eq '^crmctl [0-9]+\.[0-9]+\.[0-9]+ \(schema [0-9]+\)$' out.txt
status 2 "unknown command" "$crmctl" frobnicate $db
status 2 "unknown option" "$crmctl" search $db x --bogus

# Import: summary line, problems file, dry run, idempotent second run.
status 0 "dry run" "$crmctl" import customers $db "$data/customers.csv" --dry-run
check "dry run summary" grep -q '^dry run: imported 99[0-9][0-9], updated 0, unchanged 0, rejected [0-9]*, warnings [0-9]*$' out.txt
status 0 "dry run writes nothing" "$crmctl" search $db C0000002
check "dry run left no party" grep -q "no party matches" out.txt
status 0 "import customers" "$crmctl" import customers $db "$data/customers.csv" --errors problems.csv
check "summary line" grep -Eq '^imported 99[0-9]{2}, updated 0, unchanged 0, rejected [1-9][0-9]*, warnings [1-9][0-9]*$' out.txt
check "problems header" grep -q '^line,external_id,field,severity,reason,value$' problems.csv
check "a bad phone is a warning with its value" grep -q ',phone,warning,.*,[0-9+]' problems.csv
check "a missing name is an error" grep -q ',last_name,error,' problems.csv
status 0 "import again" "$crmctl" import customers $db "$data/customers.csv"
check "second run changes nothing" grep -Eq '^imported 0, updated 0, unchanged 99[0-9]{2}, ' out.txt
status 0 "import orders" "$crmctl" import orders $db "$data/orders.csv"
check "orders summary" grep -Eq '^imported 22[0-9]{3}, ' out.txt

printf 'external_id,shoe_size\nC1,42\n' > bad_header.csv
status 1 "wrong header" "$crmctl" import customers $db bad_header.csv
check "wrong header message" grep -q "unknown column 'shoe_size'" err.txt
status 1 "missing file" "$crmctl" import customers $db does-not-exist.csv

# export writes what import reads back unchanged.
status 0 "export" "$crmctl" export customers $db exported.csv
check "export count" grep -Eq '^exported 99[0-9]{2} parties$' out.txt
check "export header" grep -q '^external_id,kind,first_name,last_name,company,email,phone,' exported.csv
status 0 "re-import the export" "$crmctl" import customers $db exported.csv
check "re-import changes nothing" grep -Eq '^imported 0, updated 0, unchanged 99[0-9]{2}, rejected 0, ' out.txt

# show, search, duplicates, merge, events.
status 0 "show" "$crmctl" show $db C0000002
check "show names the party" grep -q "C0000002" out.txt
status 0 "show json" "$crmctl" show $db C0000002 --json
check "show json has the party" grep -q '"external_id":"C0000002"' out.txt
status 1 "show unknown" "$crmctl" show $db NO-SUCH-ID
check "not found message" grep -q "not_found: party: no party with that id, external id, phone, e-mail or national id: 'NO-SUCH-ID'" err.txt
status 0 "show by phone in Persian digits" "$crmctl" show $db "۰۹۱۹۳۵۰۵۳۷۹" --json
check "the phone's one party" grep -q '"external_id":"C0000002"' out.txt
status 0 "search by phone in Persian digits" "$crmctl" search $db "۰۹۱۹۳۵۰۵۳۷۹" --json
check "search found C0000002" grep -q '"external_id":"C0000002"' out.txt
status 0 "duplicates" "$crmctl" duplicates $db --json
check "duplicates name both sides" grep -q '"a":{"id":"[0-9a-f-]*","external_id":"C0000011"}' out.txt
check "duplicates give reasons" grep -q '"reasons":\["same phone and similar name"' out.txt
status 0 "merge" "$crmctl" merge $db C0000011 C0000309
check "merge message" grep -q "^merged 1 into" out.txt
status 0 "merged id resolves" "$crmctl" show $db C0000309 --json
check "resolves to survivor" grep -q '"external_id":"C0000011"' out.txt
status 1 "merge twice" "$crmctl" merge $db C0000011 C0000309
status 0 "events" "$crmctl" events $db --after 0 --limit 5 --json
check "events json" grep -q '"type":"party.created"' out.txt
status 0 "events text" "$crmctl" events $db --after 3 --limit 2
check "events after cursor" test "$(wc -l < out.txt)" -eq 2

# Hostile but ordinary mistakes: a mistyped database makes no file, bad
# numbers are refused, an export never replaces a file unasked, and a
# reader does not wait for another process's writer.
status 1 "search a missing database" "$crmctl" search typo.db Ali
check "the missing database is named" grep -q "not_found: database: no database file at 'typo.db'" err.txt
status 1 "events of a missing database" "$crmctl" events typo.db
status 1 "export a missing database" "$crmctl" export customers typo.db typo.csv
status 1 "ticket on a missing database" "$crmctl" ticket list typo.db C0000002
check "no file was made" test ! -e typo.db -a ! -e typo.csv
status 2 "--limit abc" "$crmctl" search $db Ali --limit abc
check "--limit abc is named" grep -q -- "--limit takes a whole number from 1 to" err.txt
status 2 "--limit -1" "$crmctl" search $db Ali --limit -1
status 2 "--limit 0" "$crmctl" events $db --limit 0
status 2 "--limit 10x" "$crmctl" events $db --limit 10x
status 2 "--after -5" "$crmctl" events $db --after -5
status 2 "--min-score 2" "$crmctl" duplicates $db --min-score 2
status 1 "export onto an existing file" "$crmctl" export customers $db exported.csv
check "the existing file is named" grep -q "exported.csv exists; add --overwrite" err.txt
status 0 "export with --overwrite" "$crmctl" export customers $db exported.csv --overwrite
{ printf '{"id":"deep","rule":'; printf '%100000s' '' | tr ' ' '['; printf '%100000s' '' | tr ' ' ']'; printf '}'; } > deep.json
status 1 "a segment nested 100,000 deep" "$crmctl" segment define $db deep.json
check "the depth limit is named" grep -q "deeper than 128 levels" err.txt
printf '{"id":"broken","rule":' > broken.json
status 1 "a segment file that is not JSON" "$crmctl" segment define $db broken.json
check "the file's role and the reason are named" grep -q "parse: segment: " err.txt
printf '{"id":"twice","kind":"list","id":"again"}' > twice.json
status 1 "a segment file with a key given twice" "$crmctl" segment define $db twice.json --json
check "the repeated key is named" grep -q "invalid_argument: segment.id: is given twice" err.txt
check "sqlite3 is there to hold a write lock" command -v sqlite3
(echo "BEGIN IMMEDIATE;"; sleep 4; echo "ROLLBACK;") | sqlite3 $db &
writer=$!
sleep 0.5
start=$(date +%s%N)
status 0 "search while another process writes" "$crmctl" search $db C0000002
check "the search did not wait for the writer" test $(( ($(date +%s%N) - start) / 1000000 )) -lt 2000
wait $writer

# Sales: an opportunity on the built-in pipeline, an illegal move, a win.
status 0 "opp create" "$crmctl" opp create $db C0000011 "ERP licences" 4500000 IRR --owner sara --json
check "opp starts in qualify" grep -q '"stage":"qualify"' out.txt
opp=$(sed -n 's/^{"id":"\([0-9a-f-]*\)".*/\1/p' out.txt)
status 1 "opp illegal move" "$crmctl" opp move $db "$opp" win
check "illegal move names the allowed ones" grep -q "invalid_transition: move: .*allowed moves: develop -> develop" err.txt
status 0 "opp move" "$crmctl" opp move $db "$opp" propose "asked for a price"
check "opp proposed" grep -q "propose, open.*60%" out.txt
status 1 "opp win without reason" "$crmctl" opp win $db "$opp" ""
check "win needs a reason" grep -q "close.reason" err.txt
status 0 "opp win" "$crmctl" opp win $db "$opp" "best price" --json
check "opp won" grep -q '"status":"won"' out.txt
status 0 "opp show" "$crmctl" opp show $db "$opp"
check "history lists the moves" grep -q "propose -> won  by win" out.txt
status 0 "pipeline show" "$crmctl" pipeline show $db --json
check "pipeline totals" grep -q '"stage":"won".*"amount_minor":450000000' out.txt
status 1 "unknown pipeline" "$crmctl" pipeline show $db nope
check "unknown pipeline message" grep -q "not_found: pipeline" err.txt

# Leads: capture, an early conversion refused, qualify, convert to the existing party.
status 0 "lead create" "$crmctl" lead create $db Sara Ahmadi 09123456789 --company "Pars Co" --source web_form --json
check "lead is new" grep -q '"state":"new"' out.txt
lead=$(sed -n 's/^{"id":"\([0-9a-f-]*\)".*/\1/p' out.txt)
status 1 "lead convert too early" "$crmctl" lead convert $db "$lead"
check "early conversion names the moves" grep -q "allowed moves: .*qualify -> qualified" err.txt
status 0 "lead qualify" "$crmctl" lead qualify $db "$lead"
check "lead qualified" grep -q "\[lead: qualified\]" out.txt
status 0 "lead convert" "$crmctl" lead convert $db "$lead" --opportunity "Pars ERP"
check "conversion made a party, organisation and opportunity" grep -q "^new party .*, organization .*, opportunity " out.txt
status 0 "lead convert again" "$crmctl" lead convert $db "$lead"
check "conversion is idempotent" grep -q "^already converted" out.txt
status 1 "lead disqualify converted" "$crmctl" lead disqualify $db "$lead" cancelled
check "a converted lead cannot be disqualified" grep -q "invalid_transition" err.txt

# The forecast: a Jalali quarter and a Gregorian year; bad periods are usage or input errors.
status 0 "forecast jalali" "$crmctl" forecast $db --period 1404-Q1 --calendar jalali --json
check "forecast has its Gregorian span" grep -q '"from_date":"2025-03-21","to_date":"2025-06-22"' out.txt
year=$(TZ=Asia/Tehran date +%Y)  # the forecast counts days in Asia/Tehran
status 0 "forecast this year" "$crmctl" forecast $db --period "$year" --by pipeline
check "the won deal counts this year" grep -q "won 1 (4500000.00 IRR)" out.txt
status 1 "forecast bad period" "$crmctl" forecast $db --period 1404-Q7 --calendar jalali
check "bad period named" grep -q "invalid_argument: period" err.txt
status 2 "forecast without period" "$crmctl" forecast $db

# Identifiers checked without a database: their canonical form and bank.
status 0 "check a sheba" "$crmctl" check sheba "ir82 0540 1026 8002 0817 9090 02"
check "the sheba's bank" grep -q "IR82 0540 1026 8002 0817 9090 02  بانک پارسیان (Parsian Bank, 054)" out.txt
check "the sheba's account" grep -q "(Parsian Bank, 054)  account 102680020817909002$" out.txt
status 1 "check a sheba with a wrong check" "$crmctl" check sheba IR830540102680020817909002
check "a wrong sheba says why" grep -q "invalid_argument: value: has a wrong check" err.txt
status 0 "check a card as JSON" "$crmctl" check bank_card 6037-9912-3456-7893 --json
check "the card's bank" grep -q '"code":"017"' out.txt
status 1 "check a postal code" "$crmctl" check postal_code 1629735744

status 0 "sms parts of a Persian text" "$crmctl" sms "سلام مریم، جشنواره تابستان آغاز شد"
check "a Persian SMS is UCS-2" grep -q "characters, ucs2: 1 part of 70" out.txt
status 0 "sms parts as JSON" "$crmctl" sms "Hello" --json
check "a Latin SMS is GSM-7" grep -q '"encoding":"gsm7"' out.txt

status 0 "holidays of a Jalali year" "$crmctl" holidays $db ۱۴۰۴
check "Ashura on its computed day, provisional" grep -q "^1404-04-15  2025-07-06  Ashura  (provisional)$" out.txt
check "Nowruz is certain" grep -q "^1404-01-01  2025-03-21  Nowruz$" out.txt
check "the year's count" grep -q "^28 holidays in 1404 (calendar iran-default)$" out.txt
status 2 "holidays of a year out of range" "$crmctl" holidays $db 2025

# Quotes: a product, a quote priced from it, a currency mix refused, the lifecycle, the ERP order.
status 0 "product add" "$crmctl" product add $db ERP-1 "ERP licence" 1250000 --unit licence
check "product created" grep -q "^created  ERP-1  ERP licence  1250000.00 IRR per licence  tax standard" out.txt
status 1 "quote with a bad line" "$crmctl" quote create $db C0000011 ERP-1:-2
check "a negative quantity is named" grep -q "invalid_argument: lines\[0\].quantity" err.txt
status 1 "quote in another list" "$crmctl" quote create $db C0000011 ERP-1:1 --price-list wholesale
check "a missing price is named" grep -q "lines\[0\].unit_price: product 'ERP-1' has no price in price list 'wholesale'" err.txt
status 0 "quote create" "$crmctl" quote create $db C0000011 ERP-1:2:10% --number PF-9
check "quote totals: 2 x 1,250,000 less 10% plus 10% VAT" grep -q "PF-9 rev 1  \[quote: draft\]  total 2475000.00 IRR" out.txt
check "quote shows its moves" grep -q "moves:  activate -> active  cancel -> cancelled  revise -> revised" out.txt
check "quote prints its total in Persian digits" grep -q "مبلغ: ۲٬۴۷۵٬۰۰۰ ریال" out.txt
check "quote prints its total in words" grep -q "مبلغ به حروف: دو میلیون و چهارصد و هفتاد و پنج هزار ریال" out.txt
status 0 "quote show in tomans" "$crmctl" quote show $db PF-9 --toman
check "the total in tomans" grep -q "مبلغ به حروف: دویست و چهل و هفت هزار و پانصد تومان" out.txt
status 1 "quote win from draft" "$crmctl" quote win $db PF-9
check "an illegal quote move names the allowed ones" grep -q "invalid_transition: move: .*allowed moves: activate -> active" err.txt
status 0 "quote revise" "$crmctl" quote revise $db PF-9 ERP-1:3
check "the revision is a draft" grep -q "PF-9 rev 2  \[quote: draft\]  total 4125000.00 IRR" out.txt
check "the revisions are listed" grep -q "revisions:  1 revised  2 draft" out.txt
status 0 "quote activate" "$crmctl" quote activate $db PF-9
status 0 "quote win" "$crmctl" quote win $db PF-9
status 0 "quote order" "$crmctl" quote order $db PF-9 SO-77 --json
check "the ERP order is recorded" grep -q '"erp_order_id":"SO-77"' out.txt
status 1 "quote order again" "$crmctl" quote order $db PF-9 SO-78
check "a second order id conflicts" grep -q "conflict: erp_order_id" err.txt
status 0 "quote show" "$crmctl" quote show $db PF-9 --json
check "the quote is won" grep -q '"state":"won"' out.txt
status 0 "quote show in tomans as JSON" "$crmctl" quote show $db PF-9 --toman --json
check "its JSON total in tomans" grep -q '"unit":"toman"' out.txt
status 2 "quote lose without reason" "$crmctl" quote lose $db PF-9

# Service desk: queues, a policy, a ticket's clocks on Tehran's business hours, bad input
# refused, referral, pending, tick at a given time, resolve, close.
status 0 "queue define" "$crmctl" queue define $db tier1 sara:fa reza
check "queue created" grep -q "queue tier1 created (2 members)" out.txt
status 0 "queue billing" "$crmctl" queue define $db billing mina
cat > policy.json <<'JSON'
{"id": "standard", "kpis": {"first_response": {"warning": {"business_hours": 1}, "failure": {"business_hours": 2}},
 "resolution": {"failure": {"business_hours": 8}}}}
JSON
status 0 "sla define" "$crmctl" sla define $db policy.json
check "policy stored" grep -q "SLA policy standard version 1 created" out.txt
echo '{"id": "bad", "kpis": {"resolution": {"failure": {"days": 1}}}}' > bad.json
status 1 "sla define a bad policy" "$crmctl" sla define $db bad.json
check "the bad policy names its path" grep -q "kpis.resolution.failure.days" err.txt
status 1 "ticket in an unknown queue" "$crmctl" ticket create $db C0000011 "No internet" --queue nowhere
check "unknown queue named" grep -q "not_found: queue" err.txt
status 1 "ticket with a bad priority" "$crmctl" ticket create $db C0000011 "No internet" --priority asap
status 0 "ticket create" "$crmctl" ticket create $db C0000011 "No internet" --queue tier1 --assignee sara --type incident --json
check "the ticket is new with two clocks" grep -q '"state":"new".*"kpi":"first_response".*"kpi":"resolution"' out.txt
ticket=$(sed -n 's/^{"id":"\([^"]*\)".*/\1/p' out.txt)
status 0 "ticket list" "$crmctl" ticket list $db C0000011
check "the list shows it" grep -q "  new  normal  tier1/sara  due [0-9T:-]*  No internet$" out.txt
check "the list counts it" grep -q "^1 of 1$" out.txt
status 1 "assign to a non-member" "$crmctl" ticket assign $db "$ticket" mina
check "the non-member is named" grep -q "invalid_argument: assignee: 'mina' is not a member of queue 'tier1'" err.txt
status 1 "close a new ticket" "$crmctl" ticket close $db "$ticket"
check "an illegal ticket move names the allowed ones" grep -q "invalid_transition: move: .*allowed moves: open -> open" err.txt
status 0 "ticket comment" "$crmctl" ticket comment $db "$ticket" "We are on it"
check "the reply meets the first response" grep -q "first_response: succeeded" out.txt
status 0 "ticket refer" "$crmctl" ticket refer $db "$ticket" billing "a billing question" --assignee mina
check "referred" grep -q "queue billing / mina" out.txt
status 2 "refer without a reason" "$crmctl" ticket refer $db "$ticket" billing
status 0 "ticket pend" "$crmctl" ticket pend $db "$ticket"
check "pending pauses the resolution clock" grep -q "resolution: paused" out.txt
status 0 "ticket open" "$crmctl" ticket open $db "$ticket"
status 0 "tick now" "$crmctl" tick $db
status 0 "tick far on" "$crmctl" tick $db --now 2099-01-01T10:00
check "the far-on tick breaches resolution" grep -q "examined 1 tickets: 0 warnings, 1 breaches, 0 escalations" out.txt
status 0 "tick again" "$crmctl" tick $db --now 2099-01-01T10:00 --json
check "nothing left to do" grep -q '"examined":0' out.txt
status 1 "tick at a bad time" "$crmctl" tick $db --now yesterday
status 0 "ticket resolve" "$crmctl" ticket resolve $db "$ticket" "modem replaced"
status 0 "ticket close" "$crmctl" ticket close $db "$ticket"
echo '{"id": "unanswered", "when": {"is_empty": {"field": "first_response_at"}}, "after": {"business_hours": 1}, "actions": {"priority": "urgent"}}' > esc.json
status 0 "escalation define" "$crmctl" escalation define $db esc.json
check "escalation rule stored" grep -q "escalation rule unanswered version 1 created" out.txt
echo '{"id": "to-tier1", "queue": "tier1", "strategy": "least_loaded"}' > assign.json
status 0 "assignment define" "$crmctl" assignment define $db assign.json
status 0 "an assigned ticket" "$crmctl" ticket create $db C0000011 "Slow line"
check "assigned by the rule" grep -q "queue tier1 / " out.txt
status 0 "sla report" "$crmctl" sla report $db --period 2099 --by priority
check "a year with no tickets opened" grep -q "^service report 2099 (2099-01-01 .. 2100-01-01, by priority): 0 opened" out.txt
# This year as Tehran counts it (+03:30).
status 0 "sla report this year" "$crmctl" sla report $db --period "$(date -u -d '+210 minutes' +%Y)" --json
check "this year's report counts the tickets" grep -q '"opened":[1-9]' out.txt
status 2 "sla report without a period" "$crmctl" sla report $db
status 1 "sla report with a bad period" "$crmctl" sla report $db --period 2099-13
echo '{"id": "recall-1", "rule": {"is_empty": {"field": "total"}}, "subject": "never matches"}' > none.json
status 0 "proactive that matches nobody" "$crmctl" proactive $db none.json
check "nothing matched" grep -Eq "^scanned [0-9]+ parties: 0 matched, 0 done now, 0 done before$" out.txt
echo '{"id": "recall-2", "rule": {"colour": 1}, "subject": "x"}' > badrule.json
status 1 "proactive with a bad rule" "$crmctl" proactive $db badrule.json
check "the bad rule names its path" grep -q "invalid_argument: rule" err.txt
status 0 "ticket show" "$crmctl" ticket show $db "$ticket"
check "closed, the breach on record, the comment kept" grep -q "resolution: breached" out.txt
check "the comment is shown" grep -q "agent crmctl: We are on it" out.txt

# Segments over the imported customers and orders.
status 0 "segment create" "$crmctl" segment create $db big 'purchases.sum >= 100000000 IRR' --name "Big spenders"
check "segment created with its size" grep -Eq "^segment big v1 \(created\): [1-9][0-9]* members$" out.txt
status 0 "segment count" "$crmctl" segment count $db big
check "count is a number" grep -Eq "^[1-9][0-9]*$" out.txt
status 0 "segment members" "$crmctl" segment members $db big --limit 3
check "three members listed" test "$(wc -l < out.txt)" -eq 3
status 0 "segment sample" "$crmctl" segment sample $db big --limit 2 --json
check "a sample of two" grep -Eq '^\{"items":\["[0-9a-f-]{36}","[0-9a-f-]{36}"\]\}$' out.txt
status 0 "segment explain" "$crmctl" segment explain $db big C0000002
check "explain says which conditions held" grep -Eq '^  \[[x ]\] big \(dynamic\)$' out.txt
status 1 "segment on an unknown field" "$crmctl" segment create $db bad 'shoe_size > 40'
check "the bad field is named" grep -q "invalid_argument: rule@0" err.txt
echo '{"id": "dnc", "kind": "suppression"}' > dnc.json
status 0 "suppression list" "$crmctl" segment define $db dnc.json
status 0 "suppress a domain" "$crmctl" suppression add $db dnc domain GMAIL.com "bounced"
check "the domain is stored lower case" grep -q '"value":"gmail.com"' out.txt
echo '{"id": "reachable", "kind": "set", "op": "difference", "of": ["big", "dnc"]}' > set.json
status 0 "set segment" "$crmctl" segment define $db set.json
status 0 "snapshot" "$crmctl" segment snapshot $db reachable winback
check "snapshot counted" grep -Eq "^list winback: [0-9]+ members of reachable$" out.txt
status 0 "list add" "$crmctl" list add $db winback C0000002
status 0 "segment list" "$crmctl" segment list $db
check "four segments" test "$(wc -l < out.txt)" -eq 4
status 0 "show lists the segments" "$crmctl" show $db C0000002
check "the 360 view shows the list" grep -q "^  list         winback$" out.txt
status 0 "refresh with RFM" "$crmctl" segment refresh $db --rfm
check "RFM scored" grep -q '"rfm_scored":true' out.txt

# The customer club.
echo '{"id": "club", "enrolment": "explicit", "earn": [{"id": "base", "per": "100000", "points": 1}]}' > club.json
status 0 "loyalty define" "$crmctl" loyalty define $db club.json
check "programme stored" grep -q '"outcome":"created"' out.txt
status 0 "loyalty enrol" "$crmctl" loyalty enrol $db club C0000002
check "a new member has no points" grep -q "^club: 0 points, tier member since " out.txt
status 0 "loyalty adjust" "$crmctl" loyalty adjust $db club C0000002 40 welcome "welcome gift"
status 1 "redeem beyond the balance" "$crmctl" loyalty redeem $db club C0000002 41 r1
check "the balance is named" grep -q "invalid_argument: points: exceeds the balance of 40 points" err.txt
status 0 "loyalty redeem" "$crmctl" loyalty redeem $db club C0000002 15 r1
status 0 "redeem retried" "$crmctl" loyalty redeem $db club C0000002 15 r1
status 0 "loyalty show" "$crmctl" loyalty show $db club C0000002
check "one redemption counted" grep -q "^club: 25 points, tier member" out.txt
status 0 "loyalty refresh" "$crmctl" loyalty refresh $db
check "nothing expired" grep -q '"lots_expired":0' out.txt

# A campaign over the winback list, where nobody has SMS consent.
echo '{"name": "Winback", "external_id": "WB-1", "channels": ["sms"], "segments": ["winback"]}' > campaign.json
status 0 "campaign create" "$crmctl" campaign create $db campaign.json
check "created proposed" grep -q "Winback  \[proposed\]  WB-1  channels sms" out.txt
status 1 "launch without consent" "$crmctl" campaign launch $db WB-1
check "the consent problem is named" grep -q "invalid_argument: channels: none of the" err.txt
status 0 "campaign show after the failed launch" "$crmctl" campaign show $db WB-1
check "ready, nothing taken" grep -q "Winback  \[ready\]" out.txt
status 1 "plan before launch" "$crmctl" campaign plan $db WB-1 --rate 100
check "only a launched campaign is planned" grep -q "invalid_transition: campaign: the campaign is ready" err.txt
status 0 "campaign report" "$crmctl" campaign report $db WB-1 --json
check "a report of no members" grep -q '"members":0' out.txt
status 0 "campaign cancel" "$crmctl" campaign move $db WB-1 cancel "no consent"
check "cancelled" grep -q "\[cancelled\]" out.txt

# Lifetime value on the sample's orders (generated from BG/NBD r = 0.243,
# alpha = 4.414, a = 0.793, b = 2.426: the fit lands near them).
status 0 "clv fit" "$crmctl" clv fit $db --calibration-end 2025-06-30 --json
check "fit in IRR" grep -q '"currency":"IRR","model":"bg_nbd","unit":"weeks"' out.txt
check "r near the generating 0.243" grep -Eq '"name":"r","value":0\.2[0-9]+' out.txt
status 0 "clv score" "$crmctl" clv score $db --calibration-end 2025-06-30 --horizon 52 --discount 0.3
check "scored parties" grep -Eq '^scored [0-9]{4} parties; total value [0-9]+ IRR' out.txt
status 0 "clv show" "$crmctl" clv show $db C0000002
check "a stored value" grep -Eq '^value [0-9]+ IRR over 364 days, P\(alive\) 0\.[0-9]{3}' out.txt
status 0 "a segment on the score" "$crmctl" segment create $db valuable "clv.value > 1000000000 IRR" --untracked
check "the segment counts scored parties" grep -Eq "segment valuable v1 \(created\): [1-9][0-9]* members" out.txt
status 1 "clv with a bad model" "$crmctl" clv fit $db --model magic
check "the model is named" grep -q 'invalid_argument: model: must be "bg_nbd" or "pareto_nbd"' err.txt
status 2 "clv with a bad discount" "$crmctl" clv score $db --discount lots
check "the discount is named" grep -q -- "--discount takes a number from 0 to 100" err.txt

# The funnel of the deals above and the orders' cohorts.
status 0 "funnel" "$crmctl" funnel $db
check "funnel counts the deals" grep -Eq "^funnel of sales v1 \(opportunity records, all time, cohort basis, any order\): [1-9][0-9]* records" out.txt
check "funnel lists qualify" grep -Eq "^  qualify +[1-9]" out.txt
status 0 "funnel as JSON" "$crmctl" funnel $db sales --period 1404 --calendar jalali --order strict --json
check "funnel JSON says its order" grep -q '"basis":"cohort","order":"strict"' out.txt
status 1 "funnel of no process" "$crmctl" funnel $db nothing
check "the process is named" grep -q "not_found: process" err.txt
status 0 "funnel by owner" "$crmctl" funnel $db --group-by owner
check "a line per owner" grep -Eq "^  owner [^ ]+ +[0-9]+ records, won" out.txt
status 0 "funnel of one owner" "$crmctl" funnel $db --owner nobody
check "says what it left out" grep -Eq "^  only owner=nobody: 0 of [1-9][0-9]* records" out.txt
status 1 "funnel of quotes by owner" "$crmctl" funnel $db quote --group-by owner
check "quotes carry no owner" grep -q "invalid_argument: group_by: records of type quote carry no owner" err.txt
status 0 "cohorts" "$crmctl" cohorts $db --unit quarter --calendar jalali --as-of 2025-06-30
check "cohorts as of 1404-Q2" grep -Eq "^cohorts by quarter of first purchase \(jalali\), as of 1404-Q2: [0-9]+ customers, [0-9]+ purchases in IRR" out.txt
check "a cohort row starts at 100%" grep -Eq "^  1403-Q1 +[0-9]+ +100\.0%" out.txt
check "churn rows" grep -Eq "^  1404-Q1 +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9.]+%" out.txt
status 0 "cohorts since, as JSON" "$crmctl" cohorts $db --since 1404 --calendar jalali --as-of 2025-06-30 --churn-after 6 --json
check "cohorts JSON from 1404-01" grep -q '"rows":\[{"period":"1404-01"' out.txt
status 1 "cohorts with a bad unit" "$crmctl" cohorts $db --unit week
check "the unit is named" grep -q "invalid_argument: unit: 'week' is not one of: month, quarter, year" err.txt
status 2 "cohorts with a bad churn window" "$crmctl" cohorts $db --churn-after 0
check "the window is named" grep -q -- "--churn-after takes" err.txt

# The manager's dashboard: one HTML file, never replaced unasked.
rm -f dash.html
status 0 "dashboard" "$crmctl" dashboard $db --out dash.html --period 1404-Q1
check "dashboard written" grep -q "^dashboard of 1404-Q1 written to dash.html" out.txt
check "a right-to-left Persian page" grep -q '<html lang="fa" dir="rtl">' dash.html
check "with its charts" grep -q '<svg role="img" aria-label="churn"' dash.html
status 1 "dashboard over a file" "$crmctl" dashboard $db --out dash.html --period 1404-Q1
check "the file is kept" grep -q "conflict: file: dash.html exists; add --overwrite" err.txt
status 0 "dashboard as JSON" "$crmctl" dashboard $db --json --period 1404 --calendar jalali
check "dashboard JSON has its parts" grep -q '"period":"1404","from_date":"2025-03-21"' out.txt
status 2 "dashboard without --out" "$crmctl" dashboard $db
check "--out is asked for" grep -q "dashboard needs --out FILE.html" err.txt
rm -f rep.html
status 0 "a sales rep's page in English" "$crmctl" dashboard $db --out rep.html --period 1404 --role sales_rep --user sara --lang en
check "the rep's page" grep -q "<title>Sales rep's dashboard — 1404 — sara</title>" rep.html
check "left to right" grep -q '<html lang="en" dir="ltr">' rep.html
status 1 "a rep's page without the rep" "$crmctl" dashboard $db --json --role sales_rep
check "the user is asked for" grep -q "invalid_argument: user: is required for the role sales_rep" err.txt
status 1 "dashboard of a bad period" "$crmctl" dashboard $db --json --period 1404-Q5
check "the period is named" grep -q "invalid_argument: period" err.txt

# Worklists: any record type by its filters, a page at a time, with the count.
status 0 "a queue's open tickets by due" "$crmctl" ticket list $db --queue tier1,billing --status open --order due --json
check "... as JSON with next and total" grep -Eq '^\{"items":\[.*\],"next":null,"total":[0-9]+\}$' out.txt
status 0 "a sales rep's won deals" "$crmctl" opp list $db --owner sara --stage won
check "the won deal with its amount" grep -q "  won  sara  450000000 IRR  close -  ERP licences$" out.txt
status 0 "every deal, a page of one" "$crmctl" opp list $db --order oldest --limit 1
check "the first page offers the next" grep -q "^1 of 2; next page: --cursor oldest~" out.txt
cursor=$(sed -n 's/.*--cursor \(.*\)$/\1/p' out.txt)
status 0 "the next page" "$crmctl" opp list $db --order oldest --limit 1 --cursor "$cursor"
check "the last page offers none" grep -q "^1 of 2$" out.txt
check "the converted lead's deal" grep -q "  Pars ERP$" out.txt
status 0 "converted leads" "$crmctl" lead list $db --status won --where 'company = "Pars Co"'
check "the converted lead is listed" grep -q "  converted  -  Sara Ahmadi  Pars Co$" out.txt
status 0 "quotes of a party" "$crmctl" quote list $db C0000011 --state won
check "the won revision" grep -q "PF-9 r2  won  " out.txt
status 0 "campaigns" "$crmctl" campaign list $db --json
check "campaigns have a total" grep -q '"total":1' out.txt
status 0 "overdue activities" "$crmctl" activity list $db --overdue
check "none are overdue" grep -q "^0 of 0$" out.txt
status 1 "a filter tickets do not have" "$crmctl" ticket list $db --team north
check "the filter is named" grep -q "invalid_argument: team: a ticket list has no such filter" err.txt
status 1 "a cursor from another order" "$crmctl" opp list $db --cursor "$cursor"
check "the cursor is refused" grep -q "invalid_argument: after: is not a cursor of this list" err.txt
status 1 "a bad rule" "$crmctl" ticket list $db --where 'colour = "red"'
check "the rule's position is named" grep -q "invalid_argument: where@0" err.txt
status 2 "activity without list" "$crmctl" activity show $db

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
