-- grain: one row per source read by the pipeline (a statistics table or indicator, or a manual-letter file)
with loads as (
    select
        source_kind,
        case
            when source_kind = 'statistics' then source_name
            else source_name || ':' || regexp_extract(file_path, '[^/\\]+$')
        end as source_name,
        file_path,
        status,
        row_count,
        errors,
        loaded_at
    from raw.source_loads
),

ranked as (
    select
        *,
        row_number() over (partition by source_kind, source_name order by loaded_at desc) as recency
    from loads
),

latest as (
    select * from ranked where recency = 1
),

successes as (
    select
        source_kind,
        source_name,
        max(loaded_at) as last_success_at,
        max(loaded_at) filter (where row_count > 0) as last_rows_at
    from loads
    where status in ('accepted', 'no_data')
    group by source_kind, source_name
),

failures as (
    select
        l.source_kind,
        l.source_name,
        count(*) as failures_since_success
    from loads as l
    left join successes as s using (source_kind, source_name)
    where l.status = 'rejected' and (s.last_success_at is null or l.loaded_at > s.last_success_at)
    group by l.source_kind, l.source_name
),

labels as (
    select vocabulary, code, label_vi from core.dim_label
),

final as (
    select
        -- keys
        l.source_kind,
        l.source_name,
        -- the latest attempt
        l.status as last_status,
        coalesce(lst.label_vi, l.status) as last_status_vi,
        l.loaded_at as last_attempt_at,
        l.row_count as last_row_count,
        l.errors as last_errors,
        l.file_path as last_location,
        -- freshness
        s.last_success_at,
        s.last_rows_at,
        coalesce(f.failures_since_success, 0) as failures_since_success,
        date_diff('day', s.last_success_at, current_timestamp) as days_since_success,
        l.source_kind = 'statistics'
        and (
            s.last_success_at is null
            or s.last_success_at < current_timestamp - to_days(cast(getvariable('stale_days') as integer))
        ) as is_stale,
        l.status = 'rejected'
        or (
            l.source_kind = 'statistics'
            and (
                s.last_success_at is null
                or s.last_success_at < current_timestamp - to_days(cast(getvariable('stale_days') as integer))
            )
        ) as needs_attention,
        -- Vietnamese label of the source kind (core.dim_label)
        lsk.label_vi as source_kind_vi
    from latest as l
    left join successes as s using (source_kind, source_name)
    left join failures as f using (source_kind, source_name)
    left join labels as lst on lst.vocabulary = 'load_status' and lst.code = l.status
    left join labels as lsk on lsk.vocabulary = 'source_kind' and lsk.code = l.source_kind
)

select * from final
order by source_kind, source_name
