-- grain: one row per manual observation (target × area × period), typed and tagged with its source
with source as (
    select * from raw.manual_observations
),

renamed as (
    select
        -- keys
        plan_id,
        target_code,
        area_code,
        period_code,
        -- figures
        value,
        data_status,
        -- provenance
        'manual' as source_kind,
        source_file,
        'line ' || source_row as source_locator,
        loaded_at,
        run_id
    from source
)

select * from renamed
