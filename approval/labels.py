"""Thai words for the rulebook's names: states, actions, decisions, steps and events.

Kept apart from :mod:`approval.workflow` so that the rules read as rules; the pages, the
printed memo and the error messages all take their words from here.
"""

from __future__ import annotations

from .models import Decision, MemoState, StepKind

ACTION_LABELS = {
    "submit": "เสนอ", "forward": "ลงนามความเห็นและส่งต่อ", "return": "ส่งคืนแก้ไข",
    "withdraw": "ดึงกลับ", "order": "ลงนามสั่งการ", "archive": "จัดเก็บเข้าแฟ้ม", "cancel": "ยกเลิก",
}
STATE_LABELS = {
    MemoState.DRAFT: "ร่าง", MemoState.IN_REVIEW: "อยู่ระหว่างพิจารณา", MemoState.RETURNED: "ส่งคืนแก้ไข",
    MemoState.DECIDED: "สั่งการแล้ว", MemoState.ARCHIVED: "จัดเก็บแล้ว", MemoState.CANCELLED: "ยกเลิก",
}
DECISION_LABELS = {
    Decision.ACKNOWLEDGE: "ทราบ", Decision.APPROVE: "อนุมัติ", Decision.REJECT: "ไม่อนุมัติ",
    Decision.OTHER: "อื่น ๆ",
}
STEP_KIND_LABELS = {StepKind.OPINION.value: "ความเห็น", StepKind.ORDER.value: "คำสั่ง (ขั้นสุดท้าย)"}
STEP_STATUS_LABELS = {
    "waiting": "รอลำดับ", "pending": "รอพิจารณา", "done": "ลงนามแล้ว", "returned": "ส่งคืนแก้ไข",
    "skipped": "ไม่ต้องดำเนินการ (มีผู้ส่งคืนแล้ว)",
}
STEP_DECISION_LABELS = {
    "forward": "เห็นควรเสนอ", "return": "ส่งคืนแก้ไข",
    **{d.value: label for d, label in DECISION_LABELS.items()},
}
#: Labels of every event on a memo's timeline: the chain's actions and the services' own.
EVENT_LABELS = {
    **ACTION_LABELS,
    "create": "สร้างร่างหนังสือ", "edit": "แก้ไขหนังสือ", "plan_report": "บันทึกรายงานแนบ",
    "attachment_add": "แนบไฟล์", "attachment_rename": "เปลี่ยนชื่อไฟล์แนบ",
    "attachment_move": "จัดลำดับไฟล์แนบ", "attachment_remove": "นำไฟล์แนบออก",
    "close_step": "ปิดขั้นที่ไม่ต้องดำเนินการ (มีผู้ส่งคืนแล้ว)",
}
#: What the page says once an action is done.
ACTION_DONE = {
    "submit": "เสนอหนังสือแล้ว", "forward": "ลงนามความเห็นและส่งต่อแล้ว", "return": "ส่งคืนแก้ไขแล้ว",
    "withdraw": "ดึงหนังสือกลับแล้ว", "order": "ลงนามสั่งการแล้ว", "archive": "จัดเก็บเข้าแฟ้มแล้ว",
    "cancel": "ยกเลิกหนังสือแล้ว",
}
