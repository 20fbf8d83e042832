(component
  ;; A Vigie questionnaire plugin written by hand in the WebAssembly component
  ;; text format, against wit/questionnaire.wit and nothing else: no SDK, no
  ;; wit-bindgen, no compiler. It proves the contract is language-neutral.
  ;;
  ;;   vigie plugin check examples/wat-plugin/mfa.wat
  ;;
  ;; (The file must start with `(component`: the host tells text from binary
  ;; by its first character, so the comments live inside.)
  ;;
  ;; The questionnaire: one section, two yes-no questions (the second only
  ;; applies when the first is answered "no": applicability is data the host
  ;; evaluates), one criterion. The rule, in `evaluate`:
  ;;   mfa = yes                      -> compliant,     score 100, verdict compliant
  ;;   mfa = no,  mfa-planned = yes   -> non-compliant, score 0,   verdict in-progress
  ;;   mfa = no,  otherwise           -> non-compliant, score 0,   verdict remediate
  ;;   anything else (none, declined, partial, unknown)
  ;;                                  -> not-assessed,  no score,  verdict not-assessed
  ;;
  ;; How values cross the boundary (the canonical ABI, in short):
  ;; - `describe` returns a record too big for registers, so the core function
  ;;   returns a pointer to it in linear memory; `evaluate` likewise returns a
  ;;   pointer to its `result<evaluation, string>`.
  ;; - A string or a list is (pointer, length) at 4-byte alignment; a record lays
  ;;   its fields out in order, each at its own alignment; an enum or a variant's
  ;;   discriminant is one byte, a variant's payload follows at the payload's
  ;;   alignment; option<T> is a variant (0 = none, 1 = some).
  ;; - `evaluate`'s parameters fit in 12 core i32s (answers: ptr+len; context:
  ;;   year, month, day, language ptr+len, level discriminant+ptr+len,
  ;;   extensions ptr+len); the host copies the answers into this module's
  ;;   memory with `cabi_realloc`.
  ;; Each call runs in a fresh instance, so a bump allocator that never frees is
  ;; enough, and memory starts zeroed: an empty list is (0, 0) and needs no store.
  ;;
  ;; Record sizes and field offsets used below (bytes):
  ;;   questionnaire 96: info 0 (plugin-info 72: id 0, version 8, name 16,
  ;;     description 24, authors 32, languages 40, frameworks 48, levels 56,
  ;;     extensions 64), sections 72, questions 80, criteria 88
  ;;   translation 16 (lang 0, text 8)       section 48 (id 0, title 8, ...)
  ;;   question 136, align 8 (id 0, section 8, prompt 16, help 24..40,
  ;;     kind 40..96 [answer-kind: discriminant 0 = yes-no], references 96,
  ;;     criteria 104, levels 112, applicable-when 120, extensions 128)
  ;;   condition 24, align 8 (question 0, test 8 [discriminant 2 = one-of,
  ;;     payload list<string> at 16])
  ;;   criterion 56 (id 0, title 8, description 16, weight 24, severity 28, ...)
  ;;   answer 40, align 8 (question 0, value 8 [discriminant 0 = yes-no,
  ;;     yes-no value at 16], note 24)
  ;;   result<evaluation, string> 80: discriminant 0, evaluation 8 (criteria 8,
  ;;     score discriminant 16 / value 24, verdict 32 [id 32, label 40,
  ;;     summary 48, severity 56], findings 60, extensions 68)
  ;;   criterion-result 40, align 8 (criterion 0, status 8, rationale 12,
  ;;     score discriminant 24 / value 32)
  ;;   finding 48 (id 0, criterion discriminant 8 / string 12, severity 20,
  ;;     title 24, recommendation 32, deadline-days discriminant 40 / value 44)
  (core module $plugin
    (memory (export "memory") 1)

    ;; Texts, NUL-terminated (the NUL is not part of the string). One every
    ;; 64 bytes from 0x400.
    (data (i32.const 0x400) "en\00")
    (data (i32.const 0x440) "wat-mfa\00")
    (data (i32.const 0x480) "1.0.0\00")
    (data (i32.const 0x4c0) "MFA check (hand-written WAT)\00")
    (data (i32.const 0x500) "access\00")
    (data (i32.const 0x540) "Access control\00")
    (data (i32.const 0x580) "mfa\00")
    (data (i32.const 0x5c0) "Do all users sign in with multi-factor authentication?\00")
    (data (i32.const 0x600) "mfa-planned\00")
    (data (i32.const 0x640) "Is it planned within six months?\00")
    (data (i32.const 0x680) "no\00")
    (data (i32.const 0x6c0) "Multi-factor authentication\00")
    (data (i32.const 0x700) "compliant\00")
    (data (i32.const 0x740) "Compliant\00")
    (data (i32.const 0x780) "in-progress\00")
    (data (i32.const 0x7c0) "In progress\00")
    (data (i32.const 0x800) "remediate\00")
    (data (i32.const 0x840) "To remediate\00")
    (data (i32.const 0x880) "not-assessed\00")
    (data (i32.const 0x8c0) "Not assessed\00")
    (data (i32.const 0x900) "Every user signs in with a second factor.\00")
    (data (i32.const 0x940) "Users sign in with a password only.\00")
    (data (i32.const 0x980) "No usable answer to the MFA question.\00")
    (data (i32.const 0x9c0) "Enforce MFA for every user account.\00")

    ;; Next free byte for the bump allocator (above the texts).
    (global $heap (mut i32) (i32.const 0x1000))

    ;; The canonical ABI's allocator: the host calls it to copy `evaluate`'s
    ;; arguments in. Never frees; grows memory when needed.
    (func $alloc (export "cabi_realloc")
      (param $old i32) (param $old_size i32) (param $align i32) (param $size i32)
      (result i32)
      (local $ptr i32)
      ;; ptr = align_up(heap, align)
      (local.set $ptr
        (i32.and
          (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
          (i32.sub (i32.const 0) (local.get $align))))
      (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
      (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
        (then
          (if (i32.eq
                (memory.grow
                  (i32.add
                    (i32.shr_u
                      (i32.sub (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
                      (i32.const 16))
                    (i32.const 1)))
                (i32.const -1))
            (then unreachable))))
      (local.get $ptr))

    ;; A fresh, zeroed block of `size` bytes aligned to 8.
    (func $new (param $size i32) (result i32)
      (call $alloc (i32.const 0) (i32.const 0) (i32.const 8) (local.get $size)))

    ;; Length of the NUL-terminated text at `s`.
    (func $strlen (param $s i32) (result i32)
      (local $n i32)
      (block $done
        (loop $next
          (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $s) (local.get $n)))))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br $next)))
      (local.get $n))

    ;; Stores the string `s` (a text above) as (pointer, length) at `at`.
    (func $string (param $at i32) (param $s i32)
      (i32.store (local.get $at) (local.get $s))
      (i32.store offset=4 (local.get $at) (call $strlen (local.get $s))))

    ;; Stores a list of `n` elements at `ptr` as (pointer, length) at `at`.
    (func $list (param $at i32) (param $ptr i32) (param $n i32)
      (i32.store (local.get $at) (local.get $ptr))
      (i32.store offset=4 (local.get $at) (local.get $n)))

    ;; Stores a `localized` holding the English text `s` at `at`.
    (func $english (param $at i32) (param $s i32)
      (local $t i32)
      (local.set $t (call $new (i32.const 16)))
      (call $string (local.get $t) (i32.const 0x400))
      (call $string (i32.add (local.get $t) (i32.const 8)) (local.get $s))
      (call $list (local.get $at) (local.get $t) (i32.const 1)))

    ;; Stores a one-element list<string> holding `s` at `at`.
    (func $one_string (param $at i32) (param $s i32)
      (local $e i32)
      (local.set $e (call $new (i32.const 8)))
      (call $string (local.get $e) (local.get $s))
      (call $list (local.get $at) (local.get $e) (i32.const 1)))

    (func (export "describe") (result i32)
      (local $q i32) (local $section i32) (local $questions i32) (local $q2 i32)
      (local $criterion i32) (local $alternative i32) (local $condition i32)
      (local.set $q (call $new (i32.const 96)))
      ;; info
      (call $string (local.get $q) (i32.const 0x440))                       ;; id
      (call $string (i32.add (local.get $q) (i32.const 8)) (i32.const 0x480))  ;; version
      (call $english (i32.add (local.get $q) (i32.const 16)) (i32.const 0x4c0)) ;; name
      (call $one_string (i32.add (local.get $q) (i32.const 40)) (i32.const 0x400)) ;; languages = ["en"]
      ;; sections = [access]
      (local.set $section (call $new (i32.const 48)))
      (call $string (local.get $section) (i32.const 0x500))
      (call $english (i32.add (local.get $section) (i32.const 8)) (i32.const 0x540))
      (call $list (i32.add (local.get $q) (i32.const 72)) (local.get $section) (i32.const 1))
      ;; questions = [mfa, mfa-planned], both yes-no (kind discriminant 0)
      (local.set $questions (call $new (i32.const 272)))
      (call $string (local.get $questions) (i32.const 0x580))
      (call $string (i32.add (local.get $questions) (i32.const 8)) (i32.const 0x500))
      (call $english (i32.add (local.get $questions) (i32.const 16)) (i32.const 0x5c0))
      (call $one_string (i32.add (local.get $questions) (i32.const 104)) (i32.const 0x580)) ;; criteria = ["mfa"]
      (local.set $q2 (i32.add (local.get $questions) (i32.const 136)))
      (call $string (local.get $q2) (i32.const 0x600))
      (call $string (i32.add (local.get $q2) (i32.const 8)) (i32.const 0x500))
      (call $english (i32.add (local.get $q2) (i32.const 16)) (i32.const 0x640))
      ;; applicable-when = [[ { question: "mfa", test: one-of(["no"]) } ]]
      (local.set $condition (call $new (i32.const 24)))
      (call $string (local.get $condition) (i32.const 0x580))
      (i32.store8 offset=8 (local.get $condition) (i32.const 2))
      (call $one_string (i32.add (local.get $condition) (i32.const 16)) (i32.const 0x680))
      (local.set $alternative (call $new (i32.const 8)))
      (call $list (local.get $alternative) (local.get $condition) (i32.const 1))
      (call $list (i32.add (local.get $q2) (i32.const 120)) (local.get $alternative) (i32.const 1))
      (call $list (i32.add (local.get $q) (i32.const 80)) (local.get $questions) (i32.const 2))
      ;; criteria = [mfa: weight 1, severity high (3)]
      (local.set $criterion (call $new (i32.const 56)))
      (call $string (local.get $criterion) (i32.const 0x580))
      (call $english (i32.add (local.get $criterion) (i32.const 8)) (i32.const 0x6c0))
      (i32.store offset=24 (local.get $criterion) (i32.const 1))
      (i32.store8 offset=28 (local.get $criterion) (i32.const 3))
      (call $list (i32.add (local.get $q) (i32.const 88)) (local.get $criterion) (i32.const 1))
      (local.get $q))

    ;; Whether the string (ptr, len) equals the text at `s`.
    (func $equals (param $ptr i32) (param $len i32) (param $s i32) (result i32)
      (local $i i32)
      (if (i32.ne (local.get $len) (call $strlen (local.get $s)))
        (then (return (i32.const 0))))
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
          (if (i32.ne (i32.load8_u (i32.add (local.get $ptr) (local.get $i)))
                      (i32.load8_u (i32.add (local.get $s) (local.get $i))))
            (then (return (i32.const 0))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (i32.const 1))

    ;; The yes-no answer (0 yes, 1 no, 2 partial, 3 unknown) to the question
    ;; named by the text `s`, or -1 when it has no yes-no answer.
    (func $yes_no (param $answers i32) (param $n i32) (param $s i32) (result i32)
      (local $a i32)
      (block $done
        (loop $next
          (br_if $done (i32.eqz (local.get $n)))
          (if (i32.and
                (call $equals (i32.load (local.get $answers))
                              (i32.load offset=4 (local.get $answers))
                              (local.get $s))
                (i32.eqz (i32.load8_u offset=8 (local.get $answers))))
            (then (return (i32.load8_u offset=16 (local.get $answers)))))
          (local.set $answers (i32.add (local.get $answers) (i32.const 40)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $next)))
      (i32.const -1))

    (func (export "evaluate")
      (param $answers i32) (param $count i32)
      (param $year i32) (param $month i32) (param $day i32)
      (param $lang i32) (param $lang_len i32)
      (param $level i32) (param $level_ptr i32) (param $level_len i32)
      (param $extensions i32) (param $extensions_len i32)
      (result i32)
      (local $mfa i32) (local $planned i32) (local $r i32) (local $result i32)
      (local $finding i32)
      (local.set $mfa (call $yes_no (local.get $answers) (local.get $count) (i32.const 0x580)))
      (local.set $planned (call $yes_no (local.get $answers) (local.get $count) (i32.const 0x600)))
      ;; result<evaluation, string> = ok (discriminant 0, already zero)
      (local.set $result (call $new (i32.const 80)))
      ;; criteria = [the result for `mfa`]
      (local.set $r (call $new (i32.const 40)))
      (call $string (local.get $r) (i32.const 0x580))
      (call $list (i32.add (local.get $result) (i32.const 8)) (local.get $r) (i32.const 1))
      (if (i32.eqz (local.get $mfa))
        (then
          ;; compliant (status 0), score 100, verdict compliant (severity info 0)
          (call $english (i32.add (local.get $r) (i32.const 12)) (i32.const 0x900))
          (i32.store8 offset=24 (local.get $r) (i32.const 1))
          (f64.store offset=32 (local.get $r) (f64.const 100))
          (i32.store8 offset=16 (local.get $result) (i32.const 1))
          (f64.store offset=24 (local.get $result) (f64.const 100))
          (call $string (i32.add (local.get $result) (i32.const 32)) (i32.const 0x700))
          (call $english (i32.add (local.get $result) (i32.const 40)) (i32.const 0x740))
          (return (local.get $result))))
      (if (i32.eq (local.get $mfa) (i32.const 1))
        (then
          ;; non-compliant (status 2), score 0, one finding
          (i32.store8 offset=8 (local.get $r) (i32.const 2))
          (call $english (i32.add (local.get $r) (i32.const 12)) (i32.const 0x940))
          (i32.store8 offset=24 (local.get $r) (i32.const 1))
          (i32.store8 offset=16 (local.get $result) (i32.const 1))
          (if (i32.eqz (local.get $planned))
            (then
              ;; verdict in-progress, severity medium (2)
              (call $string (i32.add (local.get $result) (i32.const 32)) (i32.const 0x780))
              (call $english (i32.add (local.get $result) (i32.const 40)) (i32.const 0x7c0))
              (i32.store8 offset=56 (local.get $result) (i32.const 2)))
            (else
              ;; verdict remediate, severity high (3)
              (call $string (i32.add (local.get $result) (i32.const 32)) (i32.const 0x800))
              (call $english (i32.add (local.get $result) (i32.const 40)) (i32.const 0x840))
              (i32.store8 offset=56 (local.get $result) (i32.const 3))))
          ;; findings = [ { id "mfa", criterion some("mfa"), severity high,
          ;;                title, recommendation, deadline-days some(90) } ]
          (local.set $finding (call $new (i32.const 48)))
          (call $string (local.get $finding) (i32.const 0x580))
          (i32.store8 offset=8 (local.get $finding) (i32.const 1))
          (call $string (i32.add (local.get $finding) (i32.const 12)) (i32.const 0x580))
          (i32.store8 offset=20 (local.get $finding) (i32.const 3))
          (call $english (i32.add (local.get $finding) (i32.const 24)) (i32.const 0x6c0))
          (call $english (i32.add (local.get $finding) (i32.const 32)) (i32.const 0x9c0))
          (i32.store8 offset=40 (local.get $finding) (i32.const 1))
          (i32.store offset=44 (local.get $finding) (i32.const 90))
          (call $list (i32.add (local.get $result) (i32.const 60)) (local.get $finding) (i32.const 1))
          (return (local.get $result))))
      ;; not-assessed (status 4), no score, verdict not-assessed (severity info)
      (i32.store8 offset=8 (local.get $r) (i32.const 4))
      (call $english (i32.add (local.get $r) (i32.const 12)) (i32.const 0x980))
      (call $string (i32.add (local.get $result) (i32.const 32)) (i32.const 0x880))
      (call $english (i32.add (local.get $result) (i32.const 40)) (i32.const 0x8c0))
      (local.get $result))
  )
  (core instance $main (instantiate $plugin))

  ;; The WIT types `describe` and `evaluate` use, in the order of the WIT file.
  (type $translation (record (field "lang" string) (field "text" string)))
  (type $localized (list $translation))
  (type $extension (record (field "key" string) (field "value" string)))
  (type $extensions (list $extension))
  (type $strings (list string))
  (type $date (record (field "year" s32) (field "month" u8) (field "day" u8)))
  (type $framework (record (field "id" string) (field "title" $localized)))
  (type $reference (record (field "framework" string) (field "clause" string)))
  (type $level (record (field "id" string) (field "name" $localized) (field "description" $localized)))
  (type $plugin-info (record
    (field "id" string) (field "version" string)
    (field "name" $localized) (field "description" $localized)
    (field "authors" $strings) (field "languages" $strings)
    (field "frameworks" (list $framework)) (field "levels" (list $level))
    (field "extensions" $extensions)))
  (type $yes-no (enum "yes" "no" "partial" "unknown"))
  (type $choice (record (field "id" string) (field "label" $localized)))
  (type $numeric-bounds (record
    (field "min" (option f64)) (field "max" (option f64)) (field "unit" (option $localized))))
  (type $answer-kind (variant
    (case "yes-no") (case "single-choice" (list $choice)) (case "multiple-choice" (list $choice))
    (case "integer" $numeric-bounds) (case "decimal" $numeric-bounds)
    (case "text") (case "date")))
  (type $answer-value (variant
    (case "yes-no" $yes-no) (case "choice" string) (case "choices" $strings)
    (case "integer" s64) (case "decimal" f64) (case "text" string)
    (case "date" $date) (case "declined")))
  (type $test (variant
    (case "answered") (case "unanswered") (case "one-of" $strings) (case "none-of" $strings)
    (case "includes" string) (case "at-least" f64) (case "below" f64)))
  (type $condition (record (field "question" string) (field "test" $test)))
  (type $applicability (list (list $condition)))
  (type $help (record (field "why" $localized) (field "evidence" $localized)))
  (type $section (record
    (field "id" string) (field "title" $localized) (field "description" $localized)
    (field "levels" $strings) (field "applicable-when" $applicability)
    (field "extensions" $extensions)))
  (type $question (record
    (field "id" string) (field "section" string) (field "prompt" $localized)
    (field "help" $help) (field "kind" $answer-kind) (field "references" (list $reference))
    (field "criteria" $strings) (field "levels" $strings)
    (field "applicable-when" $applicability) (field "extensions" $extensions)))
  (type $severity (enum "info" "low" "medium" "high" "critical"))
  (type $criterion (record
    (field "id" string) (field "title" $localized) (field "description" $localized)
    (field "weight" u32) (field "severity" $severity) (field "references" (list $reference))
    (field "levels" $strings) (field "extensions" $extensions)))
  (type $questionnaire (record
    (field "info" $plugin-info) (field "sections" (list $section))
    (field "questions" (list $question)) (field "criteria" (list $criterion))))
  (type $answer (record
    (field "question" string) (field "value" $answer-value) (field "note" (option string))))
  (type $context (record
    (field "assessment-date" $date) (field "language" string)
    (field "level" (option string)) (field "extensions" $extensions)))
  (type $status (enum "compliant" "to-verify" "non-compliant" "not-applicable" "not-assessed"))
  (type $criterion-result (record
    (field "criterion" string) (field "status" $status)
    (field "rationale" $localized) (field "score" (option f64))))
  (type $verdict (record
    (field "id" string) (field "label" $localized) (field "summary" $localized)
    (field "severity" $severity)))
  (type $finding (record
    (field "id" string) (field "criterion" (option string)) (field "severity" $severity)
    (field "title" $localized) (field "recommendation" $localized)
    (field "deadline-days" (option u32))))
  (type $evaluation (record
    (field "criteria" (list $criterion-result)) (field "score" (option f64))
    (field "verdict" $verdict) (field "findings" (list $finding))
    (field "extensions" $extensions)))

  (alias core export $main "memory" (core memory $memory))
  (alias core export $main "cabi_realloc" (core func $realloc))
  (func $describe (result $questionnaire)
    (canon lift (core func $main "describe") (memory $memory) string-encoding=utf8))
  (func $evaluate (param "answers" (list $answer)) (param "context" $context)
    (result (result $evaluation (error string)))
    (canon lift (core func $main "evaluate") (memory $memory) (realloc $realloc) string-encoding=utf8))

  ;; The exported interface: the two functions, and every record, variant and
  ;; enum their signatures use, exported by its WIT name. The component model
  ;; requires an exported function's types to be named (exported) in the
  ;; same instance; hosts match them structurally, by field and case names.
  (instance $exports
    (export "translation" (type $translation))
    (export "localized" (type $localized))
    (export "extension" (type $extension))
    (export "date" (type $date))
    (export "framework" (type $framework))
    (export "reference" (type $reference))
    (export "level" (type $level))
    (export "plugin-info" (type $plugin-info))
    (export "yes-no" (type $yes-no))
    (export "choice" (type $choice))
    (export "numeric-bounds" (type $numeric-bounds))
    (export "answer-kind" (type $answer-kind))
    (export "answer-value" (type $answer-value))
    (export "test" (type $test))
    (export "condition" (type $condition))
    (export "applicability" (type $applicability))
    (export "help" (type $help))
    (export "section" (type $section))
    (export "question" (type $question))
    (export "severity" (type $severity))
    (export "criterion" (type $criterion))
    (export "questionnaire" (type $questionnaire))
    (export "answer" (type $answer))
    (export "context" (type $context))
    (export "status" (type $status))
    (export "criterion-result" (type $criterion-result))
    (export "verdict" (type $verdict))
    (export "finding" (type $finding))
    (export "evaluation" (type $evaluation))
    (export "describe" (func $describe))
    (export "evaluate" (func $evaluate)))
  (export "vigie:questionnaire/plugin@1.0.0" (instance $exports))
)
