"""Registry use cases: check_* validates and checks access, do_* writes in one transaction.
One module each: reads (access checks, audited reads, searches), people, households,
duplicates (likely duplicates, merge), institutions.

Every function takes the acting user explicitly. A failed call raises a DomainError
before anything is written (or inside the transaction, which then rolls back).
"""

# The package's namespace is the app's use-case interface: pages, the API, records and
# enrollment call `services.<name>`, so a function moving between these modules churns no
# caller. Each module imports what it uses from its siblings explicitly.
from huimin.registry.services.duplicates import do_merge_people, likely_duplicates
from huimin.registry.services.households import (
    HouseholdData,
    check_household,
    do_change_head,
    do_create_household,
    do_move_member,
    do_update_household,
)
from huimin.registry.services.institutions import (
    InstitutionData,
    check_institution,
    do_create_institution,
)
from huimin.registry.services.people import (
    PersonData,
    check_person,
    do_add_category,
    do_create_person,
    do_record_death,
    do_update_person,
    phone_columns,
)
from huimin.registry.services.reads import (
    audit_search,
    check_can_read_people,
    check_can_write,
    find_by_id_number,
    get_household,
    get_person,
    read_household,
    read_person,
    reveal_id_number,
    today,
)

__all__ = [
    "HouseholdData",
    "InstitutionData",
    "PersonData",
    "audit_search",
    "check_can_read_people",
    "check_can_write",
    "check_household",
    "check_institution",
    "check_person",
    "do_add_category",
    "do_change_head",
    "do_create_household",
    "do_create_institution",
    "do_create_person",
    "do_merge_people",
    "do_move_member",
    "do_record_death",
    "do_update_household",
    "do_update_person",
    "find_by_id_number",
    "get_household",
    "get_person",
    "likely_duplicates",
    "phone_columns",
    "read_household",
    "read_person",
    "reveal_id_number",
    "today",
]
