// Apps the workflow page tests import besides the demo apps: a workflow of an LLM and a branch (on
// the fake model server), one with file inputs and outputs, one whose form has every input type,
// and a chatflow that asks a person mid-answer.
const header = (name: string, mode: string, description = `${name} (e2e)`) => `app:
  description: "${description}"
  icon: "\\U0001F9EA"
  icon_background: '#FFEAD5'
  icon_type: emoji
  mode: ${mode}
  name: ${name}
  use_icon_as_answer_icon: false
kind: app
version: 0.6.0
`;

const features = `  features:
    file_upload:
      enabled: false
`;

export const storyWorkflowYaml = `${header("Story Teller", "workflow", "Writes a short piece on a topic (one word is echoed, several go to the model).")}workflow:
  conversation_variables: []
  environment_variables: []
${features}  graph:
    edges:
      - source: start
        sourceHandle: source
        target: check
      - source: check
        sourceHandle: 'true'
        target: draft
      - source: check
        sourceHandle: 'false'
        target: short
      - source: draft
        sourceHandle: source
        target: long
    nodes:
      - id: start
        type: custom
        data:
          type: start
          title: Start
          variables:
            - variable: topic
              label: Topic
              type: text-input
              required: true
              max_length: 200
      - id: draft
        type: custom
        data:
          type: llm
          title: Draft
          model:
            provider: openai
            name: gpt-e2e
            mode: chat
            completion_params: {}
          prompt_template:
            - role: user
              text: '{{#start.topic#}}'
          context:
            enabled: false
            variable_selector: []
          vision:
            enabled: false
      - id: check
        type: custom
        data:
          type: if-else
          title: Long enough?
          cases:
            - case_id: 'true'
              logical_operator: and
              conditions:
                - variable_selector: [start, topic]
                  comparison_operator: contains
                  value: ' '
      - id: long
        type: custom
        data:
          type: end
          title: Several words
          outputs:
            - variable: result
              value_selector: [draft, text]
      - id: short
        type: custom
        data:
          type: end
          title: One word
          outputs:
            - variable: result
              value_selector: [start, topic]
`;

export const fileWorkflowYaml = `${header("File Echo", "workflow")}workflow:
  conversation_variables: []
  environment_variables: []
${features}  graph:
    edges:
      - source: start
        sourceHandle: source
        target: end
    nodes:
      - id: start
        type: custom
        data:
          type: start
          title: Start
          variables:
            - variable: picture
              label: Picture
              type: file
              required: true
              allowed_file_types: [image]
              allowed_file_extensions: []
              allowed_file_upload_methods: [local_file, remote_url]
            - variable: caption
              label: Caption
              type: text-input
              required: true
              max_length: 100
            - variable: count
              label: Count
              type: number
              required: true
      - id: end
        type: custom
        data:
          type: end
          title: End
          outputs:
            - variable: picture
              value_selector: [start, picture]
            - variable: caption
              value_selector: [start, caption]
            - variable: count
              value_selector: [start, count]
`;

const webapp = `          timeout: 1
          timeout_unit: day
          delivery_methods:
            - id: webapp
              type: webapp
              enabled: true
`;

export const everyInputFormYaml = `${header("Every Form Input", "workflow")}workflow:
  conversation_variables: []
  environment_variables: []
${features}  graph:
    edges:
      - source: start
        sourceHandle: source
        target: check
      - source: check
        sourceHandle: send
        target: end
    nodes:
      - id: start
        type: custom
        data:
          type: start
          title: Start
          variables: []
      - id: check
        type: custom
        data:
          type: human-input
          title: Details
          form_content: "Summary: {{#$output.summary#}}\\n\\nColour: {{#$output.colour#}}\\n\\nPhoto: {{#$output.photo#}}\\n\\nAlbum: {{#$output.album#}}"
          inputs:
            - type: paragraph
              output_variable_name: summary
              default:
                type: constant
                value: prefilled
            - type: select
              output_variable_name: colour
              option_source:
                type: constant
                value: [red, green]
            - type: file
              output_variable_name: photo
              allowed_file_types: [image]
              allowed_file_extensions: []
              allowed_file_upload_methods: [remote_url, local_file]
            - type: file-list
              output_variable_name: album
              allowed_file_types: [image]
              allowed_file_extensions: []
              allowed_file_upload_methods: [remote_url, local_file]
              number_limits: 3
          user_actions:
            - id: send
              title: Send
              button_style: primary
${webapp}      - id: end
        type: custom
        data:
          type: end
          title: End
          outputs:
            - variable: colour
              value_selector: [check, colour]
            - variable: photo
              value_selector: [check, photo]
            - variable: album
              value_selector: [check, album]
`;

export const formChatflowYaml = `${header("Checked Chat", "advanced-chat")}workflow:
  conversation_variables: []
  environment_variables: []
${features}  graph:
    edges:
      - source: start
        sourceHandle: source
        target: llm
      - source: llm
        sourceHandle: source
        target: draft
      - source: draft
        sourceHandle: source
        target: check
      - source: check
        sourceHandle: ok
        target: answer
    nodes:
      - id: start
        type: custom
        data:
          type: start
          title: Start
          variables: []
      - id: llm
        type: custom
        data:
          type: llm
          title: LLM
          model:
            provider: openai
            name: gpt-e2e
            mode: chat
            completion_params: {}
          prompt_template:
            - role: user
              text: '{{#sys.query#}}'
          context:
            enabled: false
            variable_selector: []
          vision:
            enabled: false
      - id: draft
        type: custom
        data:
          type: answer
          title: Draft
          answer: '{{#llm.text#}}'
      - id: check
        type: custom
        data:
          type: human-input
          title: Check
          form_content: "Check: {{#llm.text#}}\\n\\n{{#$output.comment#}}"
          inputs:
            - type: paragraph
              output_variable_name: comment
          user_actions:
            - id: ok
              title: OK
              button_style: primary
${webapp}      - id: answer
        type: custom
        data:
          type: answer
          title: Answer
          answer: ' — {{#check.comment#}}'
`;
