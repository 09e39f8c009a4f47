"""Initial schema: every core table of the scheduler.

On PostgreSQL it also makes sure btree_gist exists (for the exclusion constraint on
interviewer assignments); the extension lives in schema public and is never dropped,
because other schemas and databases on the server may use it.

Revision ID: f6d958854225
Revises: 
Create Date: 2026-11-29 06:46:44.526278

"""
from alembic import op
import sqlalchemy as sa

import scheduler.models.types


# revision identifiers, used by Alembic.
revision = 'f6d958854225'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public")
    op.create_table('candidate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('zone', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('created_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidate'))
    )
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidate_email'), ['email'], unique=False)

    op.create_table('office',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('zone', sa.String(length=64), nullable=False),
    sa.Column('calendar_key', sa.String(length=10), nullable=False),
    sa.Column('address_zh', sa.Text(), nullable=False),
    sa.Column('address_en', sa.Text(), nullable=False),
    sa.CheckConstraint("calendar_key IN ('CN', 'GB', 'US-CA', 'SG')", name=op.f('ck_office_calendar_key')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office')),
    sa.UniqueConstraint('code', name=op.f('uq_office_code'))
    )
    op.create_table('requisition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('salary_min', sa.Integer(), nullable=True),
    sa.Column('salary_max', sa.Integer(), nullable=True),
    sa.Column('salary_currency', sa.String(length=3), nullable=False),
    sa.Column('salary_period', sa.String(length=10), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.CheckConstraint('salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max', name=op.f('ck_requisition_salary_band')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requisition'))
    )
    op.create_table('rubric',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('stage_kind', sa.String(length=30), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('created_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubric')),
    sa.UniqueConstraint('code', 'version', name=op.f('uq_rubric_code_version'))
    )
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('zone', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('email', name=op.f('uq_user_email'))
    )
    op.create_table('workday_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('calendar_key', sa.String(length=10), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.CheckConstraint("calendar_key IN ('CN', 'GB', 'US-CA', 'SG')", name=op.f('ck_workday_override_calendar_key')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workday_override')),
    sa.UniqueConstraint('calendar_key', 'day', name=op.f('uq_workday_override_calendar_key_day'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=50), nullable=False),
    sa.Column('object_type', sa.String(length=50), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['user.id'], name=op.f('fk_audit_event_actor_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_object', ['object_type', 'object_id'], unique=False)

    op.create_table('interviewer_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('zone', sa.String(length=64), nullable=True),
    sa.Column('daily_cap', sa.SmallInteger(), nullable=True),
    sa.Column('weekly_cap', sa.SmallInteger(), nullable=True),
    sa.Column('video_room_url', sa.String(length=500), nullable=False),
    sa.Column('feed_token_hash', sa.String(length=64), nullable=True),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.CheckConstraint('daily_cap IS NULL OR daily_cap > 0', name=op.f('ck_interviewer_profile_daily_cap_positive')),
    sa.CheckConstraint('weekly_cap IS NULL OR weekly_cap > 0', name=op.f('ck_interviewer_profile_weekly_cap_positive')),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_interviewer_profile_office_id_office')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_interviewer_profile_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interviewer_profile')),
    sa.UniqueConstraint('feed_token_hash', name=op.f('uq_interviewer_profile_feed_token_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_interviewer_profile_user_id'))
    )
    op.create_table('requisition_office',
    sa.Column('requisition_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_requisition_office_office_id_office'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requisition_id'], ['requisition.id'], name=op.f('fk_requisition_office_requisition_id_requisition'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('requisition_id', 'office_id', name=op.f('pk_requisition_office'))
    )
    op.create_table('stage_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requisition_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('panel_size', sa.SmallInteger(), nullable=False),
    sa.Column('required_level', sa.String(length=20), nullable=False),
    sa.Column('is_senior_seat_required', sa.Boolean(), nullable=False),
    sa.Column('buffer_before_minutes', sa.Integer(), nullable=False),
    sa.Column('buffer_after_minutes', sa.Integer(), nullable=False),
    sa.Column('min_notice_minutes', sa.Integer(), nullable=False),
    sa.Column('horizon_days', sa.Integer(), nullable=False),
    sa.Column('step_minutes', sa.Integer(), nullable=False),
    sa.Column('candidate_day_start', sa.Time(), nullable=False),
    sa.Column('candidate_day_end', sa.Time(), nullable=False),
    sa.Column('reschedule_cutoff_hours', sa.Integer(), nullable=False),
    sa.Column('feedback_due_hours', sa.Integer(), nullable=True),
    sa.Column('sla_days', sa.Integer(), nullable=True),
    sa.Column('rubric_id', sa.Integer(), nullable=True),
    sa.Column('description_zh', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.CheckConstraint("kind IN ('phone_screen', 'coding_test', 'system_design', 'project_deep_dive', 'hr_final', 'offer')", name=op.f('ck_stage_template_kind')),
    sa.CheckConstraint("mode IN ('phone', 'video', 'onsite', 'online')", name=op.f('ck_stage_template_mode')),
    sa.CheckConstraint('candidate_day_start < candidate_day_end', name=op.f('ck_stage_template_candidate_hours')),
    sa.CheckConstraint('duration_minutes >= 0', name=op.f('ck_stage_template_duration')),
    sa.CheckConstraint('panel_size >= 0', name=op.f('ck_stage_template_panel_size')),
    sa.CheckConstraint('step_minutes > 0', name=op.f('ck_stage_template_step')),
    sa.ForeignKeyConstraint(['requisition_id'], ['requisition.id'], name=op.f('fk_stage_template_requisition_id_requisition'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rubric_id'], ['rubric.id'], name=op.f('fk_stage_template_rubric_id_rubric')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_template')),
    sa.UniqueConstraint('requisition_id', 'position', name=op.f('uq_stage_template_requisition_id_position'))
    )
    op.create_table('user_role',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'coordinator', 'interviewer')", name=op.f('ck_user_role_role')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_role_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_role'))
    )
    op.create_table('application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('requisition_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('current_stage_id', sa.Integer(), nullable=True),
    sa.Column('created_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('active', 'on_hold', 'offer', 'hired', 'rejected', 'withdrawn')", name=op.f('ck_application_status')),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_application_candidate_id_candidate')),
    sa.ForeignKeyConstraint(['current_stage_id'], ['stage_template.id'], name=op.f('fk_application_current_stage_id_stage_template')),
    sa.ForeignKeyConstraint(['requisition_id'], ['requisition.id'], name=op.f('fk_application_requisition_id_requisition')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application')),
    sa.UniqueConstraint('candidate_id', 'requisition_id', name=op.f('uq_application_candidate_id_requisition_id'))
    )
    op.create_table('availability_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interviewer_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start_local', sa.Time(), nullable=True),
    sa.Column('end_local', sa.Time(), nullable=True),
    sa.Column('is_available', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.CheckConstraint('(start_local IS NULL AND end_local IS NULL) OR start_local < end_local', name=op.f('ck_availability_override_start_before_end')),
    sa.ForeignKeyConstraint(['interviewer_id'], ['interviewer_profile.id'], name=op.f('fk_availability_override_interviewer_id_interviewer_profile'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_availability_override'))
    )
    with op.batch_alter_table('availability_override', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_availability_override_interviewer_id'), ['interviewer_id'], unique=False)

    op.create_table('calendar_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interviewer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.Column('username', sa.String(length=200), nullable=False),
    sa.Column('password', sa.String(length=500), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('event_count', sa.Integer(), nullable=False),
    sa.Column('last_refreshed_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('last_error_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('file', 'url', 'caldav', 'manual')", name=op.f('ck_calendar_source_kind')),
    sa.ForeignKeyConstraint(['interviewer_id'], ['interviewer_profile.id'], name=op.f('fk_calendar_source_interviewer_id_interviewer_profile'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_source'))
    )
    with op.batch_alter_table('calendar_source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_source_interviewer_id'), ['interviewer_id'], unique=False)

    op.create_table('qualification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interviewer_id', sa.Integer(), nullable=False),
    sa.Column('stage_kind', sa.String(length=30), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.CheckConstraint("level IN ('shadow', 'reverse_shadow', 'qualified', 'senior')", name=op.f('ck_qualification_level')),
    sa.ForeignKeyConstraint(['interviewer_id'], ['interviewer_profile.id'], name=op.f('fk_qualification_interviewer_id_interviewer_profile'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qualification')),
    sa.UniqueConstraint('interviewer_id', 'stage_kind', name=op.f('uq_qualification_interviewer_id_stage_kind'))
    )
    op.create_table('working_window',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interviewer_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=False),
    sa.Column('start_local', sa.Time(), nullable=False),
    sa.Column('end_local', sa.Time(), nullable=False),
    sa.CheckConstraint('start_local < end_local', name=op.f('ck_working_window_start_before_end')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_working_window_weekday')),
    sa.ForeignKeyConstraint(['interviewer_id'], ['interviewer_profile.id'], name=op.f('fk_working_window_interviewer_id_interviewer_profile'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_working_window'))
    )
    with op.batch_alter_table('working_window', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_working_window_interviewer_id'), ['interviewer_id'], unique=False)

    op.create_table('booking_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('break_minutes', sa.Integer(), nullable=False),
    sa.Column('created_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_booking_group_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_group'))
    )
    op.create_table('busy_block',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interviewer_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('start_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('external_uid', sa.String(length=500), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.CheckConstraint('start_at < end_at', name=op.f('ck_busy_block_start_before_end')),
    sa.ForeignKeyConstraint(['interviewer_id'], ['interviewer_profile.id'], name=op.f('fk_busy_block_interviewer_id_interviewer_profile'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['calendar_source.id'], name=op.f('fk_busy_block_source_id_calendar_source'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_busy_block'))
    )
    with op.batch_alter_table('busy_block', schema=None) as batch_op:
        batch_op.create_index('ix_busy_block_interviewer_time', ['interviewer_id', 'start_at'], unique=False)
        batch_op.create_index('ix_busy_block_source', ['source_id'], unique=False)

    op.create_table('interview',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('booking_group_id', sa.Integer(), nullable=True),
    sa.Column('start_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('video_url', sa.String(length=500), nullable=False),
    sa.Column('calendar_uid', sa.String(length=255), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('booked_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('scheduled', 'cancelled', 'completed', 'no_show')", name=op.f('ck_interview_status')),
    sa.CheckConstraint('sequence >= 0', name=op.f('ck_interview_sequence')),
    sa.CheckConstraint('start_at < end_at', name=op.f('ck_interview_start_before_end')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_interview_application_id_application')),
    sa.ForeignKeyConstraint(['booked_by_id'], ['user.id'], name=op.f('fk_interview_booked_by_id_user')),
    sa.ForeignKeyConstraint(['booking_group_id'], ['booking_group.id'], name=op.f('fk_interview_booking_group_id_booking_group')),
    sa.ForeignKeyConstraint(['stage_id'], ['stage_template.id'], name=op.f('fk_interview_stage_id_stage_template')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interview')),
    sa.UniqueConstraint('calendar_uid', name=op.f('uq_interview_calendar_uid'))
    )
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interview_start_at'), ['start_at'], unique=False)
        batch_op.create_index('uq_interview_live_stage', ['application_id', 'stage_id'], unique=True, sqlite_where=sa.text("status = 'scheduled'"), postgresql_where=sa.text("status = 'scheduled'"))

    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('interviewer_id', sa.Integer(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('recommendation', sa.String(length=20), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('submitted_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("recommendation IS NULL OR recommendation IN ('strong_no', 'no', 'yes', 'strong_yes')", name=op.f('ck_feedback_recommendation')),
    sa.ForeignKeyConstraint(['interview_id'], ['interview.id'], name=op.f('fk_feedback_interview_id_interview')),
    sa.ForeignKeyConstraint(['interviewer_id'], ['interviewer_profile.id'], name=op.f('fk_feedback_interviewer_id_interviewer_profile')),
    sa.ForeignKeyConstraint(['rubric_id'], ['rubric.id'], name=op.f('fk_feedback_rubric_id_rubric')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback')),
    sa.UniqueConstraint('interview_id', 'interviewer_id', name=op.f('uq_feedback_interview_id_interviewer_id'))
    )
    op.create_table('interviewer_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('interviewer_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('start_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('declined_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=False),
    sa.CheckConstraint("role IN ('lead', 'member', 'shadow')", name=op.f('ck_interviewer_assignment_role')),
    sa.CheckConstraint('start_at < end_at', name=op.f('ck_interviewer_assignment_start_before_end')),
    sa.ForeignKeyConstraint(['interview_id'], ['interview.id'], name=op.f('fk_interviewer_assignment_interview_id_interview'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['interviewer_id'], ['interviewer_profile.id'], name=op.f('fk_interviewer_assignment_interviewer_id_interviewer_profile')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interviewer_assignment'))
    )
    with op.batch_alter_table('interviewer_assignment', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_interviewer_time', ['interviewer_id', 'start_at'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('to_addr', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('raw_message', sa.LargeBinary(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=True),
    sa.Column('created_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', scheduler.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('sent_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failed_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['interview_id'], ['interview.id'], name=op.f('fk_outbox_message_interview_id_interview')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_due', ['sent_at', 'failed_at', 'next_attempt_at'], unique=False)

    op.create_table('scheduling_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('stage_ids', sa.JSON(), nullable=False),
    sa.Column('break_minutes', sa.Integer(), nullable=False),
    sa.Column('expires_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('first_opened_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('booked_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('booking_group_id', sa.Integer(), nullable=True),
    sa.Column('interview_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expired_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('candidate_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_scheduling_link_application_id_application')),
    sa.ForeignKeyConstraint(['booking_group_id'], ['booking_group.id'], name=op.f('fk_scheduling_link_booking_group_id_booking_group')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_scheduling_link_created_by_id_user')),
    sa.ForeignKeyConstraint(['interview_id'], ['interview.id'], name=op.f('fk_scheduling_link_interview_id_interview')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduling_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_scheduling_link_token_hash'))
    )
    with op.batch_alter_table('scheduling_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheduling_link_application_id'), ['application_id'], unique=False)

    op.create_table('feedback_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feedback_id', sa.Integer(), nullable=False),
    sa.Column('criterion_code', sa.String(length=50), nullable=False),
    sa.Column('score', sa.SmallInteger(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 4', name=op.f('ck_feedback_score_score')),
    sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], name=op.f('fk_feedback_score_feedback_id_feedback'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_score')),
    sa.UniqueConstraint('feedback_id', 'criterion_code', name=op.f('uq_feedback_score_feedback_id_criterion_code'))
    )
    op.create_table('reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('due_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('enqueued_at', scheduler.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['interview_id'], ['interview.id'], name=op.f('fk_reminder_interview_id_interview'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_message.id'], name=op.f('fk_reminder_outbox_message_id_outbox_message')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder')),
    sa.UniqueConstraint('interview_id', 'kind', 'recipient', name=op.f('uq_reminder_interview_id_kind_recipient'))
    )
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_due_at'), ['due_at'], unique=False)



def downgrade():
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_due_at'))

    op.drop_table('reminder')
    op.drop_table('feedback_score')
    with op.batch_alter_table('scheduling_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scheduling_link_application_id'))

    op.drop_table('scheduling_link')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_due')

    op.drop_table('outbox_message')
    with op.batch_alter_table('interviewer_assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_interviewer_time')

    op.drop_table('interviewer_assignment')
    op.drop_table('feedback')
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.drop_index('uq_interview_live_stage', sqlite_where=sa.text("status = 'scheduled'"), postgresql_where=sa.text("status = 'scheduled'"))
        batch_op.drop_index(batch_op.f('ix_interview_start_at'))
        batch_op.drop_index(batch_op.f('ix_interview_application_id'))

    op.drop_table('interview')
    with op.batch_alter_table('busy_block', schema=None) as batch_op:
        batch_op.drop_index('ix_busy_block_source')
        batch_op.drop_index('ix_busy_block_interviewer_time')

    op.drop_table('busy_block')
    op.drop_table('booking_group')
    with op.batch_alter_table('working_window', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_working_window_interviewer_id'))

    op.drop_table('working_window')
    op.drop_table('qualification')
    with op.batch_alter_table('calendar_source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_source_interviewer_id'))

    op.drop_table('calendar_source')
    with op.batch_alter_table('availability_override', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_availability_override_interviewer_id'))

    op.drop_table('availability_override')
    op.drop_table('application')
    op.drop_table('user_role')
    op.drop_table('stage_template')
    op.drop_table('requisition_office')
    op.drop_table('interviewer_profile')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_object')

    op.drop_table('audit_event')
    op.drop_table('workday_override')
    op.drop_table('user')
    op.drop_table('rubric')
    op.drop_table('requisition')
    op.drop_table('office')
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidate_email'))

    op.drop_table('candidate')
