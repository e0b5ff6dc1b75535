-- grain: one row per department × expected reporting period of each plan
with expected as (
    select * from core.expected_reports
),

submissions as (
    select * from staging.stg_submissions
),

received as (
    select
        department_code,
        plan_id,
        period_code,
        count(*) as files_received,
        count(*) filter (where status = 'accepted') as files_accepted,
        count(*) filter (where status = 'rejected') as files_rejected,
        min(received_at) as first_received_at,
        max(received_at) filter (where is_current) as accepted_received_at,
        max(file_name) filter (where is_current) as accepted_file
    from submissions
    group by all
),

status as (
    select
        -- keys
        e.plan_id,
        e.department_code,
        d.name_vi as department_name_vi,
        d.name_en as department_name_en,
        e.period_code,
        e.due_date,
        -- what arrived
        coalesce(r.files_received, 0) as files_received,
        coalesce(r.files_accepted, 0) as files_accepted,
        coalesce(r.files_rejected, 0) as files_rejected,
        r.first_received_at,
        r.accepted_file,
        r.files_received is not null as received,
        r.first_received_at is not null and cast(r.first_received_at as date) <= e.due_date as on_time,
        case
            when r.files_accepted > 0 then 'accepted'
            when r.files_rejected > 0 then 'rejected'
            when e.due_date < e.as_of then 'missing'
            else 'not_due'
        end as status,
        e.as_of
    from expected as e
    inner join core.dim_department as d using (department_code)
    left join received as r using (department_code, plan_id, period_code)
),

labels as (
    select * from (values
        ('accepted', 'Đã nhận, hợp lệ'),
        ('rejected', 'Bị từ chối, chờ gửi lại'),
        ('missing', 'Chưa nộp (quá hạn)'),
        ('not_due', 'Chưa đến hạn')
    ) as l(status, status_vi)
),

labelled as (
    select s.* exclude (as_of), l.status_vi, s.as_of
    from status as s
    inner join labels as l using (status)
)

select * from labelled
order by plan_id, period_code, department_code
